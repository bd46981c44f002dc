import AlmanacRuntime
import AlmanacStorage
import ArgumentParser
import Foundation
import Logging

@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Operational knowledge in plain files, and one server that acts on it.",
        subcommands: [
            Serve.self, Flags.self, Report.self, Series.self, CatalogCommand.self, DocsCommand.self, PipelineCommand.self, LoadCommand.self,
            CapacityCommand.self, StatusCommand.self, OnCallCommand.self, StorageCommand.self, PatchCommand.self,
            ExperimentCommand.self, JobsCommand.self,
        ])
}

/// The options every command shares, where they apply.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The config repository (flag files under flags/).")
    var config: String = "."

    @Option(name: .long, help: "The data directory (SQLite database, generated admin token).")
    var data: String = "data"

    @Option(name: .long, help: "PostgreSQL URL (postgres://user:password@host:port/db) instead of SQLite.")
    var database: String?

    @Option(name: .long, help: "Output format: text, json or markdown (reports also html).")
    var format: OutputFormat = .text

    /// Opens the database (SQLite in --data, or --database), runs `body`, and closes it either way.
    func withDatabase<R>(_ body: (Database) async throws -> R) async throws -> R {
        var logger = Logger(label: "almanac")
        logger.logLevel = .warning
        let database = try await Database.open(url: self.database, dataDirectory: data, logger: logger)
        do {
            let result = try await body(database)
            try await database.close()
            return result
        } catch {
            try? await database.close()
            throw error
        }
    }
}

/// Runs a loader; on failure prints its error (every `file:line: field: message`) and exits 1.
func loadOrExit<T>(_ load: () throws -> T) throws -> T {
    do {
        return try load()
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// The monitoring files, or the command stops naming the broken file: no command works from an
/// empty monitoring configuration because a file did not load.
func loadMonitoring(_ common: CommonOptions) throws -> MonitoringFiles {
    try loadOrExit { try MonitoringFiles.load(configDirectory: common.config) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, markdown, html
}
