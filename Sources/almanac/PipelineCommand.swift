import AlmanacConfig
import ArgumentParser
import Foundation

/// The release pipeline from the command line, through a running server's API (which holds the
/// QA states, the lock and the rollouts).
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "QA states, the deployable revision, rollouts and drift, through a running server.",
        subcommands: [Status.self, QA.self, Rollout.self, Drift.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What an environment runs, what is deployable, and what holds the next revision back.")
        @Argument var environment: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("GET", "/api/v1/pipeline/\(environment)", nil) }
    }

    struct QA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qa", abstract: "Set a revision's QA state: needs-testing, ok, bad or untestable.")
        @Argument var revision: String
        @Argument var state: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("PUT", "/api/v1/revisions/\(revision)/qa", ["state": .string(state)]) }
    }

    struct Rollout: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Roll an environment out to a revision (the button), or control a rollout.")
        @Argument(help: "The environment.") var environment: String
        @Argument(help: "The revision (a hash or a branch), or pause|resume|abort|rollback with --id.") var revision: String
        @Option(help: "The rollout to pause, resume, abort or roll back.") var id: String?
        @OptionGroup var remote: RemoteOptions
        func run() async throws {
            if let id {
                try await remote.send("POST", "/api/v1/rollouts/\(id)/\(revision)", [:])
            } else {
                try await remote.send("POST", "/api/v1/pipeline/\(environment)/rollouts", ["revision": .string(revision)])
            }
        }
    }

    struct Drift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which revision each host runs, and the hosts that differ.")
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("GET", "/api/v1/drift", nil) }
    }
}
