import AlmanacMetrics
import Benchmark
import Foundation

/// Parsing a real node_exporter page (507 samples, the fixture in Tests/) next to a reference in
/// the same run: splitting the page into lines. Storing is measured against Prometheus by
/// `IngestVersusPrometheus` (scripts/bench-ingest).
let benchmarks: @Sendable () -> Void = {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tests/AlmanacMetricsTests/Cases/node-exporter.prom")
    let page = Array(try! Data(contentsOf: fixture))
    let samples = try! ExpositionParser.parse(page, format: .prometheusText).samples
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3))

    Benchmark("reference: split the page into lines") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(page.split(separator: 0x0A).count) }
    }
    Benchmark("parse node_exporter page (\(samples.count) samples)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? ExpositionParser.parse(page, format: .prometheusText)) }
    }
}
