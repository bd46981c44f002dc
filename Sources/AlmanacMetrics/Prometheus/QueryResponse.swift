import AlmanacConfig

/// One series from a Prometheus query answer.
public struct QueriedSeries: Sendable, Equatable {
    public var name: String
    public var labels: [Label]
    public var samples: [Sample]
}

/// Why a Prometheus answer could not be used.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}

/// Reads the answers of Prometheus's HTTP API (`/api/v1/query`, `/api/v1/query_range`):
/// `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{...},"values":[[t,"v"],...]}]}}`.
public enum QueryResponse {
    public static func parse(_ bytes: [UInt8]) throws(QueryError) -> [QueriedSeries] {
        let root: JSONValue
        do { root = try JSONParser.parse(bytes) } catch { throw QueryError(message: "not JSON: \(error)") }
        guard root["status"]?.stringValue == "success" else {
            throw QueryError(
                message: "Prometheus answered \(root["errorType"]?.stringValue ?? "an error"): \(root["error"]?.stringValue ?? "no reason given")")
        }
        guard let data = root["data"], let kind = data["resultType"]?.stringValue, let result = data["result"]?.arrayValue else {
            throw QueryError(message: "no data.resultType and data.result in the answer")
        }
        var out: [QueriedSeries] = []
        for item in result {
            guard let metric = item["metric"]?.objectValue else { throw QueryError(message: "a result without 'metric'") }
            var labels: [Label] = []
            var name = ""
            for (key, value) in metric {
                guard let text = value.stringValue else { throw QueryError(message: "label \(key) is not a string") }
                if key == "__name__" { name = text } else { labels.append(Label(key, text)) }
            }
            let points: [JSONValue]
            switch kind {
            case "matrix": points = item["values"]?.arrayValue ?? []
            case "vector": points = item["value"].map { [$0] } ?? []
            default: throw QueryError(message: "result type \(kind) is not a series")
            }
            out.append(QueriedSeries(name: name, labels: labels.sorted(), samples: try points.map(sample)))
        }
        return out
    }

    /// `[1700000000.123, "42"]`: seconds as a number, the value as a string (NaN and ±Inf spelled out).
    static func sample(_ point: JSONValue) throws(QueryError) -> Sample {
        guard let pair = point.arrayValue, pair.count == 2, let text = pair[1].stringValue else {
            throw QueryError(message: "a point is not [time, \"value\"]")
        }
        let seconds: Double
        switch pair[0] {
        case .int(let i): seconds = Double(i)
        case .double(let d): seconds = d
        default: throw QueryError(message: "a point's time is not a number")
        }
        let value: Double
        switch text {
        case "NaN": value = .nan
        case "+Inf", "Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard let parsed = Double(text) else { throw QueryError(message: "value '\(text)' is not a number") }
            value = parsed
        }
        guard seconds.isFinite, abs(seconds) < 1e13 else { throw QueryError(message: "a point's time is out of range") }
        return Sample(timestamp: Int64((seconds * 1000).rounded()), value: value)
    }
}
