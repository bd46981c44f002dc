import AlmanacMetrics
import AlmanacStorage
import ArgumentParser
import Foundation

struct Series: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stored series.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Backfill history (Munin's, another Prometheus's) from exposition text with timestamps.",
            discussion: "OpenMetrics (ending in '# EOF', timestamps in seconds) or the Prometheus text format (timestamps in ms).")
        @Argument(help: "Files to import.") var files: [String]
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { database in
                let heads = SeriesHeads(store: SQLSeriesStore(database: database))
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file): cannot be read") }
                    let bytes = Array(data)
                    let isOpenMetrics = String(decoding: bytes.suffix(16), as: UTF8.self).contains("# EOF")
                    let exposition: Exposition
                    do {
                        exposition = try ExpositionParser.parse(bytes, format: isOpenMetrics ? .openMetrics : .prometheusText)
                    } catch let error as ExpositionError {
                        FileHandle.standardError.write(Data("\(file):\(error.line): \(error.message)\n".utf8))
                        throw ExitCode(1)
                    }
                    let timed = exposition.samples.filter { $0.timestamp != nil }
                    guard timed.count == exposition.samples.count else { throw ValidationError("\(file): every sample needs a timestamp") }
                    // Time order across the file, so every series' samples append in order.
                    let ordered = timed.enumerated().sorted { ($0.element.timestamp!, $0.offset) < ($1.element.timestamp!, $1.offset) }.map(\.element)
                    for start in stride(from: 0, to: ordered.count, by: 50_000) {
                        try await heads.append(
                            ordered[start..<min(start + 50_000, ordered.count)].map {
                                (name: $0.name, labels: $0.labels.sorted(), sample: Sample(timestamp: $0.timestamp!, value: $0.value))
                            })
                    }
                    print("\(file): \(ordered.count) samples")
                }
            }
        }
    }
}
