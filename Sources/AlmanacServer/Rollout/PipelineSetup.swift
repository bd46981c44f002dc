import AlmanacConfig
import AlmanacRollout
import Foundation
import Logging

/// `pipeline/pipeline.yaml` of the config repository, when there is one.
public enum PipelineFiles {
    public static func load(configDirectory: String) throws -> Pipeline? {
        let path = configDirectory + "/pipeline/pipeline.yaml"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        var pipeline = try PipelineFile.parse(try ConfigDocument.parse(try String(contentsOfFile: path, encoding: .utf8), file: "pipeline/pipeline.yaml"))
        if !pipeline.repository.hasPrefix("/") { pipeline.repository = configDirectory + "/" + pipeline.repository }
        return pipeline
    }
}

/// The pipeline currently in force (nil: the repository has none).
public typealias PipelineConfig = ReloadingFiles<Pipeline?>

extension ReloadingFiles where Value == Pipeline? {
    public convenience init(configDirectory: String, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folders: ["pipeline"], logger: logger) { try PipelineFiles.load(configDirectory: $0) }
    }
}

/// Reads the application's repository with git itself.
public enum GitRepository {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs git in `repository` (with `environment` added to this process's); its output, or a
    /// failure with what git said.
    public static func run(_ repository: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", repository] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.first ?? "") in \(repository): \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The commit a branch (or any revision) names.
    public static func resolve(_ repository: String, _ revision: String) throws -> String {
        guard !revision.hasPrefix("-") else { throw Failure(description: "'\(revision)' is not a revision") }
        return try run(repository, ["rev-parse", "--verify", "--quiet", revision + "^{commit}"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Revisions after `running` up to `candidate`, oldest first (the last 200 when nothing runs yet).
    public static func revisions(_ repository: String, after running: String?, upTo candidate: String) throws -> [Revision] {
        let range = running.map { "\($0)..\(candidate)" } ?? candidate
        var arguments = ["log", "--reverse", "--no-merges", "--format=%H%x1f%aN%x1f%s%x1f%b%x1e", range]
        if running == nil { arguments.insert("--max-count=200", at: 1) }
        return Revision.parseLog(try run(repository, arguments))
    }
}
