import AlmanacServer
import Foundation

/// Real git repositories made by tests, commit by commit, with chosen authors.
public enum GitFixture {
    /// Runs git in `directory`, committing as `author` when given; returns its output.
    @discardableResult
    public static func git(_ directory: String, _ arguments: [String], author: String? = nil) throws -> String {
        let name = author ?? "tester"
        return try GitRepository.run(directory, arguments, environment: [
            "GIT_AUTHOR_NAME": name, "GIT_COMMITTER_NAME": name, "GIT_AUTHOR_EMAIL": "\(name)@example.org", "GIT_COMMITTER_EMAIL": "\(name)@example.org",
        ])
    }

    /// A new repository on branch `main`.
    public static func repository() throws -> String {
        let directory = NSTemporaryDirectory() + "almanac-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try git(directory, ["init", "-q", "-b", "main"])
        return directory
    }

    /// Writes `files`, removes `removed`, and commits everything as `author`; returns the commit hash.
    @discardableResult
    public static func commit(_ directory: String, author: String, message: String, files: [String: String] = [:], removed: [String] = []) throws -> String {
        for (path, text) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        for path in removed { try git(directory, ["rm", "-q", path]) }
        try git(directory, ["add", "-A"])
        try git(directory, ["commit", "-q", "--allow-empty", "-m", message], author: author)
        return try git(directory, ["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
