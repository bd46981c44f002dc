import AlmanacStorage
import Foundation
import Logging

/// A fresh PostgreSQL database per test, on the server named by `ALMANAC_TEST_POSTGRES_URL`
/// (the test command starts one). A missing server is an error, never a silent skip.
public enum TestPostgres {
    public static var serverURL: String? {
        let url = ProcessInfo.processInfo.environment["ALMANAC_TEST_POSTGRES_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// Creates an empty database and returns its URL.
    public static func freshDatabase() async throws -> String {
        guard let server = serverURL else { throw MissingPostgres() }
        let name = "almanac_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        var logger = Logger(label: "almanac-test-postgres")
        logger.logLevel = .warning
        let admin = try await Database.connect(url: server, dataDirectory: "", logger: logger)
        do {
            try await admin.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run()
            try await admin.close()
        } catch {
            try? await admin.close()
            throw error
        }
        guard var components = URLComponents(string: server) else { throw MissingPostgres() }
        components.path = "/" + name
        return components.string!
    }

    public struct MissingPostgres: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "ALMANAC_TEST_POSTGRES_URL is not set: run the README's test command, which starts PostgreSQL" }
    }
}
