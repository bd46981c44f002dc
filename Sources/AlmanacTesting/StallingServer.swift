import Foundation
import Hummingbird
import Logging

/// A real HTTP server that stops answering for `stall` seconds every `period` seconds, as a
/// server in a garbage-collection pause or a lock convoy does: a request that arrives during
/// a stall is answered when it ends. For measuring coordinated omission against a known answer.
public enum StallingServer {
    /// Runs the server while `body` runs; `body` gets the port and the moment the stall
    /// pattern started (stalls cover `[start + k·period, start + k·period + stall)`).
    public static func run<R: Sendable>(
        period: Double, stall: Double, _ body: @Sendable (_ port: Int, _ start: Date) async throws -> R
    ) async throws -> R {
        let start = Date()
        let router = Router(context: BasicRequestContext.self)
        router.get("/") { _, _ -> String in
            let phase = Date().timeIntervalSince(start).truncatingRemainder(dividingBy: period)
            if phase < stall { try await Task.sleep(for: .seconds(stall - phase)) }
            return "ok"
        }
        var logger = Logger(label: "stalling-server")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await Serving.run(app, ports: ports, logger: logger) { port in try await body(port, start) }
    }
}
