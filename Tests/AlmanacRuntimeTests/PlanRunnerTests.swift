import AlmanacImages
import AlmanacRuntime
import Foundation
import Testing

/// Plans on real files: a crash between the two halves of a step (the manifest says `begun`, no
/// `done`) is taken back by undo whichever half had happened.
@Suite struct PlanRunnerTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString)").path

    func setUp() throws -> (StoragePlan, [String: Data]) {
        var contents: [String: Data] = [:]
        var actions: [StoragePlan.Action] = []
        try FileManager.default.createDirectory(atPath: root + "/images/a", withIntermediateDirectories: true)
        var buffer = [UInt8](repeating: 0, count: 4096)
        for name in ["a/1.jpg", "a/2.jpg", "3.jpg"] {
            let data = Data("picture \(name)".utf8)
            try data.write(to: URL(fileURLWithPath: root + "/images/" + name))
            contents[name] = data
            let sha = try ImageAuditor.sha256(root + "/images/" + name, buffer: &buffer)
            actions.append(.init(kind: .cold, path: root + "/images/" + name, relative: name, sha256: sha, size: Int64(data.count)))
        }
        let plan = StoragePlan(
            quarantine: root + "/quarantine", coldDirectory: root + "/cold", quality: 80, pixelBudget: 12_000_000, jpegQuality: 85, actions: actions)
        return (plan, contents)
    }

    func entry(_ action: StoragePlan.Action, _ plan: StoragePlan) throws -> Data {
        let entry = ManifestEntry(
            state: .begun, action: action, stored: plan.coldDirectory! + "/" + action.relative, produced: nil, producedSHA256: nil)
        return try JSONEncoder().encode(entry) + Data("\n".utf8)
    }

    @Test func undoTakesBackAStepCutShortAndEveryFinishedOne() throws {
        let (plan, contents) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runner = PlanRunner(plan: plan)
        // The first two actions ran; the third was cut short after its `begun` line and its move.
        var moved = 0
        let applied = try runner.apply { moved = $0 }
        #expect(applied == 3 && moved == 3)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: runner.manifest))
        let lines = manifest.split(separator: UInt8(ascii: "\n"))
        try (lines.prefix(5).map { Data($0) + Data("\n".utf8) }.reduce(Data(), +)).write(to: URL(fileURLWithPath: runner.manifest))
        #expect(!FileManager.default.fileExists(atPath: plan.actions[2].path))

        #expect(try runner.undo { _ in } == 3)
        for (name, data) in contents { #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/images/" + name)) == data) }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: root + "/cold").filter { $0.hasSuffix(".jpg") }.isEmpty)
    }

    @Test func aStepCutShortBeforeItMovedAnythingLeavesTheFileWhereItIs() throws {
        let (plan, contents) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: plan.quarantine, withIntermediateDirectories: true)
        let runner = PlanRunner(plan: plan)
        try entry(plan.actions[0], plan).write(to: URL(fileURLWithPath: runner.manifest))
        #expect(try runner.undo { _ in } == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: plan.actions[0].path)) == contents["a/1.jpg"])
        // Applying again after the undo carries out all three.
        #expect(try runner.apply { _ in } == 3)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/cold/a/1.jpg")) == contents["a/1.jpg"])
    }

    @Test func aFileChangedSinceTheAuditStopsApply() throws {
        let (plan, _) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("edited".utf8).write(to: URL(fileURLWithPath: plan.actions[1].path))
        var done = -1
        #expect {
            _ = try PlanRunner(plan: plan).apply { done = $0 }
        } throws: { error in
            "\(error)".contains(plan.actions[1].path) && "\(error)".contains("changed since the audit")
        }
        #expect(done == 1, "the first action was carried out, and nothing after the changed file")
    }
}
