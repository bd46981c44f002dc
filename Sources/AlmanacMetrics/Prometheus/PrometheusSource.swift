import AlmanacConfig

/// A Prometheus that Almanac reads instead of scraping twice, from `monitoring/source.yaml`:
///
/// ```yaml
/// prometheus:
///   url: http://127.0.0.1:9090
///   timeout: 30s
/// ```
public struct PrometheusSource: Sendable, Equatable {
    public var url: String
    public var timeout: Int64

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> PrometheusSource? {
        guard let node = root["prometheus"] else { return nil }
        for member in node.members ?? [] where member.key != "url" && member.key != "timeout" {
            throw member.value.error("unknown field (expected url or timeout)")
        }
        guard let urlNode = node["url"], let url = urlNode.string else { throw node.error("missing 'url' of the Prometheus server") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw urlNode.error("must be an http(s) URL") }
        return PrometheusSource(
            url: url.hasSuffix("/") ? String(url.dropLast()) : url, timeout: try DurationText.milliseconds(node["timeout"]) ?? 30_000)
    }

    /// The query that answers "samples of `selector` in `[from, to]`": raw samples through a range
    /// vector for short windows; hourly means for long ones, which is what forecasts fit anyway.
    public func query(selector: String, from: Int64, to: Int64) -> (path: String, parameters: [(String, String)]) {
        let seconds = max((to - from) / 1000, 1)
        let end = String(Double(to) / 1000)
        if seconds <= 6 * 3600 {
            return ("/api/v1/query", [("query", "\(selector)[\(seconds)s]"), ("time", end)])
        }
        return (
            "/api/v1/query_range",
            [
                ("query", "avg_over_time(\(selector)[1h])"), ("start", String(Double(from) / 1000)), ("end", end), ("step", "3600"),
            ]
        )
    }
}
