import AlmanacRuntime
import Foundation

/// Real git repositories made by tests, commit by commit, with chosen authors.
public enum GitFixture {
    /// Runs git in `directory`, committing as `author` when given; returns its output.
    @discardableResult
    public static func git(_ directory: String, _ arguments: [String], author: String? = nil) async throws -> String {
        let name = author ?? "tester"
        return try await GitRepository.run(
            directory, arguments,
            environment: [
                "GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name, "GIT_AUTHOR_EMAIL": "\(name)@example.org",
                "GIT_COMMITTER_EMAIL": "\(name)@example.org",
            ])
    }

    /// A new repository on branch `main`.
    public static func repository() async throws -> String {
        let directory = NSTemporaryDirectory() + "almanac-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try await git(directory, ["init", "-q", "-b", "main"])
        return directory
    }

    /// Writes `files`, removes `removed`, and commits everything as `author`; returns the commit hash.
    @discardableResult
    public static func commit(
        _ directory: String, author: String, message: String, files: [String: String] = [:], removed: [String] = []
    ) async throws -> String {
        for (path, text) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        for path in removed { try await git(directory, ["rm", "-q", path]) }
        try await git(directory, ["add", "-A"])
        try await git(directory, ["commit", "-q", "--allow-empty", "-m", message], author: author)
        return try await git(directory, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
