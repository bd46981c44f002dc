import Foundation

/// Real git repositories made by tests, commit by commit, with chosen authors.
public enum GitFixture {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs git in `directory`, committing as `author` when given; returns its output.
    @discardableResult
    public static func git(_ directory: String, _ arguments: [String], author: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        var environment = ProcessInfo.processInfo.environment
        let name = author ?? "tester"
        for key in ["GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"] { environment[key] = name }
        for key in ["GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"] { environment[key] = "\(name)@example.org" }
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")): \(String(decoding: message, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
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
