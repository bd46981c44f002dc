import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import Foundation
import Hummingbird
import Prometheus

/// The server's own metrics on `/metrics`, in Prometheus text format: request latency by route
/// (histograms made once, so a request pays no registry lookup) and evaluations by flag,
/// variant and reason (counted by the flag service alongside its usage buckets).
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let single: DurationHistogram
    private let bulk: DurationHistogram

    public init() {
        let buckets: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
        ]
        let latency = MetricNameDescriptor(
            namespace: "almanac", metricName: "http_request_duration", unitName: "seconds", helpText: "Request latency by route.")
        single = registry.makeDurationHistogram(descriptor: latency, labels: [("route", "ofrep_single")], buckets: buckets)
        bulk = registry.makeDurationHistogram(descriptor: latency, labels: [("route", "ofrep_bulk")], buckets: buckets)
    }

    enum Route { case single, bulk }

    func observeRequest(_ route: Route, since start: ContinuousClock.Instant) {
        (route == .single ? single : bulk).record(ContinuousClock.now - start)
    }

    func add(to groups: AccessGroups, flags: FlagService) {
        groups.viewers.get("/metrics") { _, _ in
            var text = self.registry.emitToString()
            text += "# HELP almanac_flag_evaluations_total Flag evaluations by flag, variant and reason.\n"
            text += "# TYPE almanac_flag_evaluations_total counter\n"
            for (key, count) in flags.evaluationTotals.sorted(by: { ($0.key.flag, $0.key.variant) < ($1.key.flag, $1.key.variant) }) {
                text +=
                    "almanac_flag_evaluations_total{flag=\(Self.quoted(key.flag)),variant=\(Self.quoted(key.variant)),reason=\"\(key.reason.rawValue)\"} \(count)\n"
            }
            text += "# HELP almanac_flag_change_streams Open streams of flag changes here: OFREP's event streams and flagd sync.\n"
            text += "# TYPE almanac_flag_change_streams gauge\nalmanac_flag_change_streams \(flags.changes.subscribers)\n"
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// A label value in the exposition format's escaping.
    static func quoted(_ value: String) -> String {
        "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
                of: "\n", with: "\\n") + "\""
    }
}
