import AlmanacFlags
import Hummingbird
import Prometheus

/// The server's own metrics, exposed on `/metrics` in Prometheus text format: evaluations by
/// flag, variant and reason, and request latency by route.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private var evaluations: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "almanac", metricName: "flag_evaluations", unitName: "total", helpText: "Flag evaluations by flag, variant and reason.")
    }
    private var latency: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "almanac", metricName: "http_request_duration", unitName: "seconds", helpText: "Request latency by route.")
    }
    private static let buckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
    ]

    public init() {}

    func countEvaluation(_ resolution: Resolution) {
        // Unknown keys come from callers; labelling them would let anyone grow the registry without bound.
        guard resolution.errorCode != .flagNotFound else { return }
        registry.makeCounter(descriptor: evaluations, labels: [
            ("flag", resolution.key), ("variant", resolution.variant ?? ""), ("reason", resolution.reason.rawValue),
        ]).increment()
    }

    func observeRequest(route: String, since start: ContinuousClock.Instant) {
        registry.makeDurationHistogram(descriptor: latency, labels: [("route", route)], buckets: Self.buckets)
            .record(ContinuousClock.now - start)
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.registry.emitToString())))
        }
    }
}
