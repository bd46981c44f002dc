import AlmanacServer
import AlmanacStorage
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A real Almanac server on a free loopback port, with its own config repository and data
/// directory in a temporary folder, so each test reads like a user's session.
public struct TestServer: Sendable {
    public let port: Int
    public let configDirectory: String
    public let dataDirectory: String
    public let server: AlmanacServer
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// A fresh temporary directory.
    public static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "almanac-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `files` (path → text) under `directory`.
    public static func write(_ files: [String: String], to directory: String) throws {
        for (path, text) in files {
            let full = directory + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
    }

    /// Starts a server on `flagFiles` (paths under flags/), runs `body`, then shuts the server down.
    public static func run<R: Sendable>(
        flagFiles: [String: String],
        configDirectory: String? = nil,
        dataDirectory: String? = nil,
        databaseURL: String? = nil,
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestServer) async throws -> R
    ) async throws -> R {
        let config = try configDirectory ?? temporaryDirectory()
        let data = try dataDirectory ?? temporaryDirectory()
        try write(flagFiles.reduce(into: [:]) { $0["flags/" + $1.key] = $1.value }, to: config)
        var configuration = ServerConfiguration(configDirectory: config, dataDirectory: data, databaseURL: databaseURL)
        configuration.port = 0
        configuration.adminTokens = ["admin-secret": "tester"]
        configuration.configPollSeconds = 0.1
        configuration.changePollSeconds = 0.1
        configuration.usageFlushSeconds = 0.2
        configure(&configuration)
        var logger = Logger(label: "almanac-test")
        logger.logLevel = .warning
        let server = try await AlmanacServer(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = server.application { port in continuation.yield(port) }
        return try await Serving.run(app, ports: ports, logger: logger) { port in
            try await body(TestServer(port: port, configDirectory: config, dataDirectory: data, server: server))
        }
    }
}
