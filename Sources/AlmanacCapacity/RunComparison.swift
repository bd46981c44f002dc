/// How a load test's results moved from one revision to the next: the latest complete run of
/// each revision, in the order they were first measured, and a plain sentence where a release
/// made p99 or the sustainable rate worse ("p99 +35% since a1b2c3d").
public struct RunComparison: Sendable {
    public struct Entry: Sendable, Hashable {
        public var revision: String
        public var runID: Int64
        public var startedAt: Int64
        /// nil for a revision measured only by saturation searches.
        public var p99: Double?
        public var rate: Double
        public var sustainableRate: Double?
    }

    public var entries: [Entry]
    public var regressions: [String]

    /// A change smaller than this share is noise between two runs, not a regression.
    public static let tolerance = 0.10

    /// `runs` oldest first; partial runs and runs without a known revision are left out.
    public init(runs: [(id: Int64, run: LoadRun)]) {
        var latest: [String: Entry] = [:]
        var order: [String] = []
        for (id, run) in runs where run.aborted == nil {
            guard let revision = run.revision else { continue }
            if latest[revision] == nil { order.append(revision) }
            let previous = latest[revision]
            latest[revision] = Entry(
                revision: revision, runID: id, startedAt: run.startedAt, p99: run.kind == "run" ? run.summary.response.p99 : previous?.p99,
                rate: run.summary.rate, sustainableRate: run.sustainableRate ?? previous?.sustainableRate)
        }
        entries = order.compactMap { latest[$0] }
        var regressions: [String] = []
        for (before, after) in zip(entries, entries.dropFirst()) {
            let short = String(before.revision.prefix(7))
            if let old = before.p99, let new = after.p99, old > 0, new > old * (1 + Self.tolerance) {
                regressions.append("\(after.revision.prefix(7)): p99 +\(Self.percent(new / old - 1)) since \(short)")
            }
            if let old = before.sustainableRate, let new = after.sustainableRate, new < old * (1 - Self.tolerance) {
                regressions.append("\(after.revision.prefix(7)): sustainable rate −\(Self.percent(1 - new / old)) since \(short)")
            }
        }
        self.regressions = regressions
    }

    static func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
}
