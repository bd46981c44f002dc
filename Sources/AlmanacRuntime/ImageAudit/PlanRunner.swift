import AlmanacImages
import Foundation

/// Carries out a storage plan and takes it back. Nothing is deleted: every original is moved to
/// the quarantine (or, for cold images, to the cold directory), and each step is written to the
/// quarantine's manifest before and after it is taken, with checksums, so `undo` restores the tree
/// byte for byte, even after a crash in the middle of a step. Any surprise stops the run and says why.
public struct PlanRunner: Sendable {
    public let plan: StoragePlan
    public var manifest: String { plan.quarantine + "/manifest.jsonl" }

    public init(plan: StoragePlan) { self.plan = plan }

    public static func load(_ path: String) throws(ImageAuditError) -> StoragePlan {
        do {
            return try JSONDecoder().decode(StoragePlan.self, from: try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as DecodingError {
            throw ImageAuditError("\(path): not a storage plan (\(PlanRunner.describe(error)))")
        } catch {
            throw ImageAuditError("\(path): \(error.localizedDescription)")
        }
    }

    /// Applies every action not applied yet; `progress` gets how many are done.
    public func apply(progress: (Int) -> Void) throws(ImageAuditError) -> Int {
        try ImageDecoder.start()
        try Files.directory(plan.quarantine)
        // Applied already: the last word on a path is `done` (a plan undone and applied again starts over).
        var last: [String: ManifestEntry.State] = [:]
        for entry in try entries() { last[entry.action.path] = entry.state }
        let finished = Set(last.filter { $0.value == .done }.keys)
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        for action in plan.actions {
            defer { progress(count) }
            if finished.contains(action.path) {
                count += 1
                continue
            }
            let found = try ImageAuditor.sha256(action.path, buffer: &buffer)
            guard found == action.sha256 else { throw ImageAuditError("\(action.path): changed since the audit (checksum differs); stopped") }
            let stored = destination(of: action)
            guard !FileManager.default.fileExists(atPath: stored) else { throw ImageAuditError("\(stored): already exists; stopped") }
            var entry = ManifestEntry(state: .begun, action: action, stored: stored, produced: nil, producedSHA256: nil)
            try write(entry)
            entry.produced = try carry(action, stored: stored)
            entry.producedSHA256 = try entry.produced.map { path throws(ImageAuditError) in try ImageAuditor.sha256(path, buffer: &buffer) }
            entry.state = .done
            try write(entry)
            count += 1
        }
        return count
    }

    /// Where the original goes: the quarantine, or the cold directory for a cold image.
    func destination(of action: StoragePlan.Action) -> String {
        (action.kind == .cold ? plan.coldDirectory ?? plan.quarantine : plan.quarantine) + "/" + action.relative
    }

    /// Takes one step; returns the file it produced (nil for a move).
    func carry(_ action: StoragePlan.Action, stored: String) throws(ImageAuditError) -> String? {
        switch action.kind {
        case .cold:
            try Files.move(action.path, to: stored)
            return nil
        case .deduplicate:
            guard let keep = action.keep else { throw ImageAuditError("\(action.path): a deduplicate action without 'keep'") }
            try Files.move(action.path, to: stored)
            try Files.link(keep, at: action.path)
            return action.path
        case .downscale, .webp:
            let encoded =
                action.kind == .webp
                ? try ImageDecoder.encode(action.path, to: .webp, quality: plan.quality, maxPixels: 0)
                : try ImageDecoder.encode(action.path, to: .same, quality: plan.jpegQuality, maxPixels: plan.pixelBudget)
            let target = action.kind == .webp ? Self.webpPath(action.path) : action.path
            if action.kind == .webp, FileManager.default.fileExists(atPath: target) {
                throw ImageAuditError("\(target): already exists; stopped")
            }
            let temporary = target + ".almanac-new"
            try Files.write(encoded.data, to: temporary)
            try Files.move(action.path, to: stored)
            try Files.move(temporary, to: target)
            return target
        }
    }

    static func webpPath(_ path: String) -> String { (path as NSString).deletingPathExtension + ".webp" }

    /// Reverses every applied action, last first. A produced file that changed since stops the undo.
    public func undo(progress: (Int) -> Void) throws(ImageAuditError) -> Int {
        var last: [String: ManifestEntry] = [:]
        var order: [String] = []
        for entry in try entries() {
            if last[entry.action.path] == nil || entry.state == .begun { order.append(entry.action.path) }
            last[entry.action.path] = entry
        }
        var count = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var seen = Set<String>()
        for path in order.reversed() where seen.insert(path).inserted {
            guard var entry = last[path], entry.state != .undone else { continue }
            try restore(entry, buffer: &buffer)
            entry.state = .undone
            try write(entry)
            count += 1
            progress(count)
        }
        return count
    }

    func restore(_ entry: ManifestEntry, buffer: inout [UInt8]) throws(ImageAuditError) {
        let action = entry.action
        let fm = FileManager.default
        if entry.state == .done, let produced = entry.produced, let expected = entry.producedSHA256 {
            guard try ImageAuditor.sha256(produced, buffer: &buffer) == expected else {
                throw ImageAuditError("\(produced): changed since the plan was applied; undo stopped before touching it")
            }
        }
        // A step cut short: the original may still be in place, and a new file half made.
        if fm.fileExists(atPath: action.path), !fm.fileExists(atPath: entry.stored) {
            for leftover in [action.path + ".almanac-new", Self.webpPath(action.path) + ".almanac-new"] where fm.fileExists(atPath: leftover) {
                try Files.remove(leftover)
            }
            return
        }
        guard fm.fileExists(atPath: entry.stored) else { throw ImageAuditError("\(entry.stored): the original is not there; undo stopped") }
        if let produced = entry.produced, fm.fileExists(atPath: produced) { try Files.remove(produced) }
        try Files.move(entry.stored, to: action.path)
        guard try ImageAuditor.sha256(action.path, buffer: &buffer) == action.sha256 else {
            throw ImageAuditError("\(action.path): restored, but its checksum is not the audited one")
        }
    }

    func entries() throws(ImageAuditError) -> [ManifestEntry] {
        guard let data = FileManager.default.contents(atPath: manifest) else { return [] }
        var out: [ManifestEntry] = []
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
            do {
                out.append(try JSONDecoder().decode(ManifestEntry.self, from: Data(line)))
            } catch {
                throw ImageAuditError("\(manifest):\(number + 1): not a manifest entry")
            }
        }
        return out
    }

    func write(_ entry: ManifestEntry) throws(ImageAuditError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line: Data
        do { line = try encoder.encode(entry) } catch { throw ImageAuditError("cannot encode a manifest entry: \(error)") }
        try Files.append(line + Data("\n".utf8), to: manifest)
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        @unknown default: "\(error)"
        }
    }
}
