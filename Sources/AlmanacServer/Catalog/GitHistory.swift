import AlmanacCatalog
import Foundation

/// Reads a repository's history with git itself, oldest first, for the truck factor.
public enum GitHistory {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public static func commits(repository: String) throws -> [Commit] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // Renames count as new files: simpler than following them, and what a reader of `git log` sees.
        process.arguments = ["git", "-C", repository, "log", "--reverse", "--no-renames", "--no-merges", "--format=%x1e%aN", "--name-status"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git log in \(repository) failed: \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return TruckFactor.parseLog(String(decoding: data, as: UTF8.self))
    }
}
