import AlmanacMetrics
import AlmanacStorage
import Foundation
import Logging

// What `promtool tsdb bench write` does, on Almanac's head, log and SQLite store: read label
// sets (one JSON object a line), then append `scrapes` samples to each series in shards of
// 1,000 series and 100 scrapes, 30 s apart, each value 1,000 above the last; one append (one
// log record) per shard and scrape, as promtool commits one appender per shard and scrape.
// The final write of the open chunks is timed too. Prints samples/s and the disk used.
let arguments = CommandLine.arguments
guard arguments.count == 4, let scrapes = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: IngestVersusPrometheus LABELS.json SCRAPES DATA-DIR\n".utf8))
    exit(2)
}
let labelSets: [(name: String, labels: [Label])] = try String(contentsOfFile: arguments[1], encoding: .utf8).split(separator: "\n").map { line in
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] ?? [:]
    let labels = object.filter { $0.key != "__name__" }.map { Label($0.key, $0.value) }.sorted()
    return (object["__name__"] ?? "", labels)
}
var logger = Logger(label: "bench")
logger.logLevel = .error
let directory = arguments[3]
let database = try await Database.open(url: nil, dataDirectory: directory, logger: logger)
let (_, heads) = SQLSeriesStore.withHead(database: database, logDirectory: directory + "/series-log")
_ = try await heads.recover()

let timeDelta: Int64 = 30_000
let started = ContinuousClock.now
var ids = [Int64](repeating: 0, count: labelSets.count)
var values = [Double](repeating: 123_456_789, count: labelSets.count)
var total = 0
for block in stride(from: 0, to: scrapes, by: 100) {
    for shard in stride(from: 0, to: labelSets.count, by: 1000) {
        let range = shard..<min(shard + 1000, labelSets.count)
        var timestamp = timeDelta * Int64(block)
        for _ in 0..<min(100, scrapes - block) {
            timestamp += timeDelta
            var entries: [LogRecord.Entry] = []
            entries.reserveCapacity(range.count)
            for index in range {
                values[index] += 1000
                if ids[index] == 0 { ids[index] = try await heads.seriesID(name: labelSets[index].name, labels: labelSets[index].labels) }
                entries.append(LogRecord.Entry(seriesID: ids[index], sample: Sample(timestamp: timestamp, value: values[index])))
            }
            total += try await heads.append(entries)
        }
    }
}
try await heads.flush()
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

// A day of one series read back from stored chunks and the head, as a page or rule does: a
// second head on the same store holds the newest samples open while the rest is stored.
let newest = timeDelta * Int64(scrapes)
let (store, reader) = SQLSeriesStore.withHead(database: database, logDirectory: directory + "/query-log")
_ = try await reader.recover()
let probe = try await reader.seriesID(name: "bench_probe", labels: [])
let probeSamples = (0..<2880).map { index in
    LogRecord.Entry(seriesID: probe, sample: Sample(timestamp: newest - Int64(2879 - index) * 30_000, value: Double(index)))
}
try await reader.append(Array(probeSamples.prefix(2820)))
try await reader.flush()
try await reader.append(Array(probeSamples.suffix(60)))
var times: [Double] = []
var read = 0
for _ in 0..<200 {
    let begin = ContinuousClock.now
    read = try await store.samples(seriesID: probe, from: newest - 86_400_000 + 1, to: newest).count
    let spent = ContinuousClock.now - begin
    times.append(Double(spent.components.attoseconds) / 1e15 + Double(spent.components.seconds) * 1000)
}
times.sort()
try await database.close()
let (median, p99) = (String(format: "%.2f", times[100]), String(format: "%.2f", times[198]))
print("query of a day of one series (\(read) samples, 60 in the head): median \(median) ms, p99 \(p99) ms")
print("series: \(labelSets.count)")
print("samples: \(total)")
print("seconds: \(String(format: "%.3f", seconds))")
print("samples/s: \(String(format: "%.0f", Double(total) / seconds))")
