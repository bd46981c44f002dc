/// A history file of an experiment (`experiments/history/FLAG.csv`): one row per exposed user
/// (no event) and one per user and event, with times in seconds before the import. What an
/// example or a migration from another tool brings, so results show on the first start.
public struct ExperimentHistory: Sendable {
    public struct Exposure: Sendable, Hashable {
        public var targetingKey: String
        public var variant: String
        public var secondsAgo: Int64
        public var excluded: String?
    }

    public struct Event: Sendable, Hashable {
        public var line: Int
        public var targetingKey: String
        public var variant: String
        public var secondsAgo: Int64
        public var event: String
        public var value: Double
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }

        public init(file: String, line: Int, message: String) {
            self.file = file
            self.line = line
            self.message = message
        }
    }

    public var exposures: [Exposure] = []
    public var events: [Event] = []

    static let header = "targeting_key,variant,seconds_ago,event,value,excluded"

    public static func parse(_ text: String, file: String, spec: ExperimentSpec, variants: [String]) throws(Problem) -> ExperimentHistory {
        var history = ExperimentHistory()
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if number == 1 {
                guard line.trimmingCharacters(in: .whitespaces) == header else {
                    throw Problem(file: file, line: 1, message: "the header must be \(header)")
                }
                continue
            }
            if line.isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6 else { throw Problem(file: file, line: number, message: "6 fields expected, \(fields.count) found") }
            guard !fields[0].isEmpty else { throw Problem(file: file, line: number, message: "targeting_key: empty") }
            guard variants.contains(fields[1]) else {
                throw Problem(file: file, line: number, message: "variant: '\(fields[1])' is not a variant of the flag")
            }
            guard let ago = Int64(fields[2]), ago >= 0 else {
                throw Problem(file: file, line: number, message: "seconds_ago: a whole number of 0 or more")
            }
            if fields[3].isEmpty {
                history.exposures.append(
                    .init(targetingKey: fields[0], variant: fields[1], secondsAgo: ago, excluded: fields[5].isEmpty ? nil : fields[5]))
                continue
            }
            guard spec.metrics.contains(where: { $0.event == fields[3] }) else {
                throw Problem(file: file, line: number, message: "event: '\(fields[3])' is not the event of a metric")
            }
            guard let value = Double(fields[4]), value.isFinite else { throw Problem(file: file, line: number, message: "value: a number") }
            history.events.append(.init(line: number, targetingKey: fields[0], variant: fields[1], secondsAgo: ago, event: fields[3], value: value))
        }
        return history
    }
}
