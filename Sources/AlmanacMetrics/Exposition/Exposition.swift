/// What one scrape returned: samples and what the text said about their families.
public struct Exposition: Sendable, Equatable {
    public var samples: [ScrapedSample]
    /// TYPE, HELP and UNIT by family name.
    public var families: [String: MetricFamily]

    public init(samples: [ScrapedSample] = [], families: [String: MetricFamily] = [:]) {
        self.samples = samples
        self.families = families
    }
}

/// One sample line.
public struct ScrapedSample: Sendable, Hashable {
    public var name: String
    /// Label pairs sorted by name, without `__name__`.
    public var labels: [Label]
    public var value: Double
    /// Milliseconds since 1970, when the exposition gave one.
    public var timestamp: Int64?

    public init(name: String, labels: [Label] = [], value: Double, timestamp: Int64? = nil) {
        self.name = name
        self.labels = labels.sorted { $0.name < $1.name }
        self.value = value
        self.timestamp = timestamp
    }

    public static func == (a: ScrapedSample, b: ScrapedSample) -> Bool {
        a.name == b.name && a.labels == b.labels && a.timestamp == b.timestamp
            && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(labels)
        hasher.combine(timestamp)
    }
}

public struct Label: Sendable, Hashable, Comparable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Label, b: Label) -> Bool { (a.name, a.value) < (b.name, b.value) }
}

public struct MetricFamily: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case counter, gauge, histogram, summary, untyped, unknown, gaugehistogram, stateset, info
    }

    public var type: Kind?
    public var help: String?
    public var unit: String?

    public init(type: Kind? = nil, help: String? = nil, unit: String? = nil) {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// The two text formats, told apart by the response's Content-Type as Prometheus does.
public enum ExpositionFormat: String, Sendable {
    case prometheusText = "text/plain; version=0.0.4"
    case openMetrics = "application/openmetrics-text; version=1.0.0"

    /// The Accept header Prometheus sends: OpenMetrics preferred, the classic text format accepted.
    public static let acceptHeader =
        "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"

    public init(contentType: String?) {
        self = contentType?.lowercased().hasPrefix("application/openmetrics-text") == true ? .openMetrics : .prometheusText
    }
}

/// Why an exposition could not be read, with the line.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}
