/// What a restore drill proved, kept: which copy, how long the restore took (the measured
/// recovery time), how old the copy was (the recovery point), and each sanity check.
public struct Receipt: Sendable, Hashable, Codable {
    public struct Outcome: Sendable, Hashable, Codable {
        public var check: String
        public var passed: Bool
        public var detail: String

        public init(check: String, passed: Bool, detail: String) {
            self.check = check
            self.passed = passed
            self.detail = detail
        }
    }

    public var id: Int64 = 0
    public var backup: String
    public var entity: String
    public var startedAt: Int64
    public var copy: BackupCopy?
    public var restoreSeconds: Double?
    /// How old the copy was when it was restored: what would have been lost.
    public var recoveryPointSeconds: Double?
    public var outcomes: [Outcome]
    /// Why the drill failed before or during the restore, in words.
    public var failure: String?
    public var passed: Bool { failure == nil && outcomes.allSatisfy(\.passed) }

    public init(backup: String, entity: String, startedAt: Int64, copy: BackupCopy?) {
        self.backup = backup
        self.entity = entity
        self.startedAt = startedAt
        self.copy = copy
        outcomes = []
    }
}

extension Drill.Query {
    /// Whether what the query gave holds.
    public func judge(_ value: String?) -> Receipt.Outcome {
        let name = "query: \(sql)"
        guard let value else { return .init(check: name, passed: false, detail: "no row") }
        if let expect { return .init(check: name, passed: value == expect, detail: "gave \(value), expected \(expect)") }
        guard let number = Double(value), let atLeast else { return .init(check: name, passed: false, detail: "gave \(value), not a number") }
        return .init(check: name, passed: number >= atLeast, detail: "gave \(value), needs at least \(ReportNumber.plain(atLeast))")
    }
}

enum ReportNumber {
    static func plain(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value) }
}
