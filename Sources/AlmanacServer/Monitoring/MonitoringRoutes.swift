import AlmanacMetrics
import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// Read access to stored series: list them, read a series' samples, and the disk cost per sample.
struct MonitoringRoutes: Sendable {
    let series: SeriesService
    let clock: WallClock

    func add(to groups: AccessGroups) {
        let router = groups.viewers
        router.get("/api/v1/series") { request, _ in
            try JSONResponse.encode(
                SeriesList(series: try await series.series(named: request.uri.queryParameters.get("name")).map(SeriesRecord.init)))
        }
        router.get("/api/v1/series/:id/samples") { request, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw RequestProblem("id", "id must be a number") }
            let now = clock.milliseconds()
            let from = request.uri.queryParameters.get("from").flatMap(Int64.init) ?? now - 3_600_000
            let to = request.uri.queryParameters.get("to").flatMap(Int64.init) ?? now
            guard from <= to, to - from <= 400 * 86_400_000 else { throw RequestProblem("from", "from must precede to, at most 400 days apart") }
            return try JSONResponse.encode(SampleList(samples: try await series.samples(seriesID: id, from: from, to: to).map(SamplePair.init)))
        }
        router.get("/api/v1/storage") { _, _ in try JSONResponse.encode(StorageRecord(try await series.usage())) }
    }
}

struct SeriesList: Encodable { var series: [SeriesRecord] }

struct SeriesRecord: Encodable {
    var id: Int64
    var name: String
    var labels: [String: String]

    init(_ series: StoredSeries) {
        (id, name) = (series.id, series.name)
        labels = Dictionary(series.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}

struct SampleList: Encodable { var samples: [SamplePair] }

/// `[timestamp, value]`, as Prometheus's API pairs them; JSON has no NaN or infinities, so
/// those travel as strings, as Prometheus sends them.
struct SamplePair: Encodable {
    var sample: Sample
    init(_ sample: Sample) { self.sample = sample }

    func encode(to encoder: any Encoder) throws {
        var pair = encoder.unkeyedContainer()
        try pair.encode(sample.timestamp)
        let value = sample.value
        if value.isNaN {
            try pair.encode("NaN")
        } else if value.isInfinite {
            try pair.encode(value > 0 ? "+Inf" : "-Inf")
        } else {
            try pair.encode(value)
        }
    }
}

struct StorageRecord: Encodable {
    var rawSamples: Int64
    var chunkBytes: Int64
    var rollupBuckets: Int64
    var databaseBytes: Int64
    var bytesPerSample: Double
    var diskBytesPerSample: Double

    init(_ usage: StorageUsage) {
        (rawSamples, chunkBytes, rollupBuckets, databaseBytes) = (usage.rawSamples, usage.chunkBytes, usage.rollupBuckets, usage.databaseBytes)
        (bytesPerSample, diskBytesPerSample) = (usage.bytesPerSample, usage.diskBytesPerSample)
    }
}
