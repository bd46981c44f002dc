import Logging
import ServiceLifecycle

/// Runs a service that reports its bound port on `ports`, hands the port to `body`, and shuts
/// the service down gracefully afterwards, whether `body` succeeds or throws.
enum Serving {
    static func run<R: Sendable>(
        _ service: some Service, ports: AsyncStream<Int>, logger: Logger, _ body: @Sendable (Int) async throws -> R
    ) async throws -> R {
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
