import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A real HTTP receiver for notifications: records every body POSTed to it.
public actor WebhookReceiver {
    public private(set) var bodies: [String] = []

    func record(_ body: String) { bodies.append(body) }

    /// Runs a receiver on `port` (0 for any) while `body` runs.
    public static func run<R: Sendable>(port: Int = 0, _ body: @Sendable (WebhookReceiver, Int) async throws -> R) async throws -> R {
        let receiver = WebhookReceiver()
        let router = Router(context: BasicRequestContext.self)
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            await receiver.record(String(buffer: buffer))
            return .ok
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await Serving.run(app, ports: ports, logger: logger) { port in try await body(receiver, port) }
    }

    /// A port that is free now (for a receiver that starts later).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
