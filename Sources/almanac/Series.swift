import AlmanacMetrics
import AlmanacRuntime
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
                let importer = SeriesImport(heads: SeriesHeads(store: SQLSeriesStore(database: database)))
                for file in files {
                    let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).flatMap { $0 } ?? 0
                    var bar = ProgressBar(label: URL(fileURLWithPath: file).lastPathComponent, total: Int64(size))
                    let summary: SeriesImport.Summary
                    do {
                        summary = try await importer.run(file) { bar.update(done: $0.bytesRead, detail: "\($0.samples) samples") }
                    } catch let failure as SeriesImport.Failure {
                        FileHandle.standardError.write(Data("\n\(failure)\n".utf8))
                        throw ExitCode(1)
                    }
                    bar.update(done: Int64(size), detail: "\(summary.stored) samples", final: true)
                    let dropped = summary.dropped > 0 ? "; \(summary.dropped) out of order or duplicated, dropped" : ""
                    print("\(file): \(summary.stored) samples\(dropped)")
                }
            }
        }
    }
}
