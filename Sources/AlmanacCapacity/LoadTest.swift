/// A load test from `capacity/loadtests/NAME.yaml`: what to send, at what pace, for how long,
/// and what must hold.
public struct LoadTest: Sendable {
    public struct Request: Sendable {
        public var name: String
        public var method: String
        /// Path and query (or a whole URL on the target's host), with `{{column}}` from the data.
        public var url: String
        public var headers: [(name: String, value: String)]
        public var body: String?
        public var weight: Int
        /// Fetch the page's own stylesheets, scripts and images after it, as a browser does; the
        /// request fails when one of them does.
        public var assets: Bool
        public var line: Int
    }

    /// An arrival-rate stage: constant when `from == to`, a linear ramp otherwise.
    public struct Stage: Sendable, Hashable {
        public var from: Double
        public var to: Double
        public var seconds: Double
        public init(from: Double, to: Double, seconds: Double) {
            self.from = from
            self.to = to
            self.seconds = seconds
        }
    }

    public enum Model: Sendable, Hashable {
        /// Requests start on a schedule whatever the server does; `connections` caps the sockets.
        case open(stages: [Stage], connections: Int)
        /// A fixed number of connections, each sending its next request when the last one answers.
        case closed(connections: Int, seconds: Double)

        public var seconds: Double {
            switch self {
            case .open(let stages, _): stages.reduce(0) { $0 + $1.seconds }
            case .closed(_, let seconds): seconds
            }
        }

        public var connections: Int {
            switch self {
            case .open(_, let connections), .closed(let connections, _): connections
            }
        }
    }

    /// How `saturate` climbs: from `start` requests/s, times `factor` each step of `stepSeconds`.
    public struct Saturation: Sendable, Hashable {
        public var start: Double
        public var factor: Double
        public var stepSeconds: Double
        public var maximum: Double
    }

    public var name: String
    public var file: String
    public var service: String
    /// Scheme, host and port: `http://127.0.0.1:8080`.
    public var target: String
    public var requests: [Request]
    /// A CSV file (relative to the config repository) whose rows fill the templates in turn.
    public var data: String?
    public var model: Model
    public var timeoutSeconds: Double
    public var threads: Int
    public var thresholds: [Threshold]
    public var saturation: Saturation
    /// Series selector (`{job="search"}`) for the service's CPU and memory during a run.
    public var usage: String?
}
