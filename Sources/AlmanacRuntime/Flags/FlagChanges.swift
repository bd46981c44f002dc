import Synchronization

/// Who waits to hear that the flags changed (OFREP's server-sent events): each subscriber holds
/// at most the newest change, so one that does not read costs one value, never a queue, and a
/// publish never waits for anyone.
public final class FlagChanges: Sendable {
    public struct Change: Sendable, Hashable {
        /// Counts every change this process served: a file reload or a run-time change.
        public var generation: Int64
        /// When it served (ms).
        public var at: Int64
        public var etag: String { "\"g\(generation)\"" }
    }

    private struct State {
        var current = Change(generation: 0, at: 0)
        var next = 0
        var subscribers: [Int: AsyncStream<Change>.Continuation] = [:]
    }

    private let state = Mutex(State())
    /// Past this many open streams a new one is refused (each holds a connection and a task).
    public static let limit = 20_000

    public init() {}

    public var current: Change { state.withLock { $0.current } }
    public var subscribers: Int { state.withLock { $0.subscribers.count } }

    /// A stream of changes from now on, and its id for `end`; nil when `limit` streams are open.
    public func subscribe() -> (stream: AsyncStream<Change>, id: Int)? {
        let (stream, continuation) = AsyncStream.makeStream(of: Change.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { state in
            guard state.subscribers.count < Self.limit else { return nil }
            state.next += 1
            state.subscribers[state.next] = continuation
            return state.next
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) } }
        return (stream, id)
    }

    /// Ends one stream (the server is stopping): its reader sees the end and closes.
    public func end(_ id: Int) {
        let continuation = state.withLock { $0.subscribers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Hands every subscriber the current change again: a stream that has sent it writes a
    /// keep-alive comment instead, so proxies keep quiet streams open and dead clients are found.
    public func ping() {
        state.withLock { state in
            for continuation in state.subscribers.values { continuation.yield(state.current) }
        }
    }

    /// Tells every subscriber that what serves changed at `at`.
    func publish(at: Int64) {
        state.withLock { state in
            state.current = Change(generation: state.current.generation + 1, at: at)
            for continuation in state.subscribers.values { continuation.yield(state.current) }
        }
    }
}
