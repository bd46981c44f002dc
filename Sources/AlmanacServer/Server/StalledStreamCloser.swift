import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends an event stream whose client stopped reading. The connection's send buffer is kept small
/// (the events are tiny), so a client that reads nothing fills it within a few hundred events,
/// and once its oldest unfinished write has waited `limit` the connection is closed: the stream's
/// task ends and its buffers are freed, where the kernel would otherwise grow the buffer to
/// megabytes and the stream would live until TCP gave up. Other answers are left alone, so a
/// large page to a slow client is never cut. Written by hand: NIO's IdleStateHandler also counts
/// a connection with nothing to send as idle.
final class StalledStreamCloser: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let sendBuffer = 16 * 1024
    private let limit: TimeAmount
    /// When each unfinished write began, oldest first: a channel finishes its writes in order.
    private var started: [NIODeadline] = []
    private var check: Scheduled<Void>?
    private var watching = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head(let head) = unwrapOutboundIn(data) {
            watching = head.headerFields[.contentType]?.hasPrefix("text/event-stream") ?? false
            if watching {
                // Best effort: without it the stream is still ended, only later.
                try? context.channel.syncOptions?.setOption(ChannelOptions.socketOption(.so_sndbuf), value: Self.sendBuffer)
            }
        }
        guard watching else { return context.write(data, promise: promise) }
        let done = promise ?? context.eventLoop.makePromise()
        started.append(.now())
        done.futureResult.assumeIsolated().whenComplete { _ in
            if !self.started.isEmpty { self.started.removeFirst() }
        }
        if check == nil { schedule(context) }
        context.write(data, promise: done)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    private func schedule(_ context: ChannelHandlerContext) {
        guard let oldest = started.first else {
            check = nil
            return
        }
        check = context.eventLoop.assumeIsolated().scheduleTask(deadline: oldest + limit) {
            guard let first = self.started.first else {
                self.check = nil
                return
            }
            if first + self.limit <= .now() {
                self.check = nil
                context.close(promise: nil)
            } else {
                self.schedule(context)
            }
        }
    }
}
