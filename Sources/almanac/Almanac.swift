import ArgumentParser

@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Operational knowledge in plain files, and one server that acts on it.",
        subcommands: [Serve.self, Flags.self])
}

/// The options every command shares, where they apply.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The config repository (flag files under flags/).")
    var config: String = "."

    @Option(name: .long, help: "The data directory (SQLite database, generated admin token).")
    var data: String = "data"

    @Option(name: .long, help: "PostgreSQL URL (postgres://user:password@host:port/db) instead of SQLite.")
    var database: String?

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, markdown
}
