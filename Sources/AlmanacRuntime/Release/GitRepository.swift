import AlmanacRollout
import Foundation

/// Reads the application's repository with git itself.
public enum GitRepository {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Runs git in `repository` (with `environment` added to this process's); its output, or a
    /// failure with what git said. A history of a large repository fits in the limit.
    public static func run(_ repository: String, _ arguments: [String], environment: [String: String] = [:]) async throws(Failure) -> String {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try await ProcessRunner.run(["git", "-C", repository] + arguments, environment: environment, limit: 1 << 30)
        } catch {
            throw Failure(description: "git \(arguments.first ?? "") in \(repository): \(error)")
        }
        guard outcome.succeeded else {
            throw Failure(
                description: "git \(arguments.first ?? "") in \(repository): \(outcome.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return outcome.output
    }

    /// The commit a branch (or any revision) names.
    public static func resolve(_ repository: String, _ revision: String) async throws(Failure) -> String {
        guard !revision.hasPrefix("-") else { throw Failure(description: "'\(revision)' is not a revision") }
        return try await run(repository, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Revisions after `running` up to `candidate`, oldest first (the last 200 when nothing runs yet).
    public static func revisions(_ repository: String, after running: String?, upTo candidate: String) async throws(Failure) -> [Revision] {
        let range = running.map { "\($0)..\(candidate)" } ?? candidate
        var arguments = ["log", "--reverse", "--no-merges", "--format=%H%x1f%aN%x1f%s%x1f%b%x1e", range]
        if running == nil { arguments.insert("--max-count=200", at: 1) }
        return Revision.parseLog(try await run(repository, arguments))
    }

    /// The patches that `revision` and the commits before it name in a `Requires-Patch:` trailer
    /// (the last 2,000 commits), as written.
    public static func requiredPatches(_ repository: String, upTo revision: String) async throws(Failure) -> [String] {
        let output = try await run(repository, ["log", "--max-count=2000", "--format=%(trailers:key=Requires-Patch,valueonly)", revision])
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
