import AlmanacConfig
import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird

/// Read access to stored series: list them, read a series' samples, and the disk cost per sample.
struct MonitoringRoutes: Sendable {
    let store: SQLSeriesStore
    let clock: WallClock

    func add(to groups: AccessGroups) {
        let router = groups.viewers
        router.get("/api/v1/series") { request, _ in
            let name = request.uri.queryParameters.get("name")
            let series = try await store.series(named: name)
            return JSONResponse.make(.ok, .object(["series": .array(series.map(Self.describe))]))
        }
        router.get("/api/v1/series/:id/samples") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else {
                return JSONResponse.error(.badRequest, "id must be a number", field: "id")
            }
            let now = clock.milliseconds()
            let from = request.uri.queryParameters.get("from").flatMap(Int64.init) ?? now - 3_600_000
            let to = request.uri.queryParameters.get("to").flatMap(Int64.init) ?? now
            guard from <= to, to - from <= 400 * 86_400_000 else {
                return JSONResponse.error(.badRequest, "from must precede to, at most 400 days apart", field: "from")
            }
            let samples = try await store.samples(seriesID: id, from: from, to: to)
            return JSONResponse.make(.ok, .object(["samples": .array(samples.map { .array([.int($0.timestamp), Self.number($0.value)]) })]))
        }
        router.get("/api/v1/storage") { _, _ in
            let usage = try await store.usage()
            return JSONResponse.make(
                .ok,
                [
                    "raw_samples": .int(usage.rawSamples), "chunk_bytes": .int(usage.chunkBytes), "rollup_buckets": .int(usage.rollupBuckets),
                    "database_bytes": .int(usage.databaseBytes), "bytes_per_sample": .double(usage.bytesPerSample),
                    "disk_bytes_per_sample": .double(usage.diskBytesPerSample),
                ])
        }
    }

    static func describe(_ series: StoredSeries) -> JSONValue {
        .object([
            "id": .int(series.id), "name": .string(series.name),
            "labels": .object(Dictionary(uniqueKeysWithValues: series.labels.map { ($0.name, JSONValue.string($0.value)) })),
        ])
    }

    /// JSON has no NaN or infinities: they travel as strings, as Prometheus's API sends them.
    static func number(_ value: Double) -> JSONValue {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return .double(value)
    }
}
