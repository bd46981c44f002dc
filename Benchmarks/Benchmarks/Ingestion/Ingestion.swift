import AlmanacMetrics
import AlmanacStorage
import Benchmark
import Foundation
import Logging
import SQLKit

/// Parsing a real node_exporter page (507 samples, the fixture in Tests/) and storing scrapes of
/// it into SQLite, each next to a reference in the same run: splitting the page into lines, and
/// the same SQLite file taking one plain insert per sample.
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

    Benchmark("store one scrape into SQLite (\(samples.count) samples)", configuration: .init(maxDuration: .seconds(5))) { benchmark in
        let directory = NSTemporaryDirectory() + "almanac-bench-" + UUID().uuidString
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let database = try await Database.open(url: nil, dataDirectory: directory, logger: logger)
        let heads = SeriesHeads(store: SQLSeriesStore(database: database))
        var t: Int64 = 1_700_000_000_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            t += 15_000
            try await heads.append(samples.map { ($0.name, $0.labels, Sample(timestamp: t, value: $0.value)) })
        }
        benchmark.stopMeasurement()
        try await database.close()
    }

    Benchmark("reference: one plain insert per sample into SQLite", configuration: .init(maxDuration: .seconds(5))) { benchmark in
        let directory = NSTemporaryDirectory() + "almanac-bench-" + UUID().uuidString
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let database = try await Database.open(url: nil, dataDirectory: directory, logger: logger)
        try await database.sql.raw("CREATE TABLE plain (series TEXT, t BIGINT, v DOUBLE PRECISION)").run()
        var t: Int64 = 1_700_000_000_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            t += 15_000
            let stamp = t
            try await database.transaction { db in
                for s in samples {
                    try await db.insert(into: "plain").columns("series", "t", "v").values(SQLBind(s.name), SQLBind(stamp), SQLBind(s.value)).run()
                }
            }
        }
        benchmark.stopMeasurement()
        try await database.close()
    }
}
