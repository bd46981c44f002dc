import AlmanacCapacity
import NIOCore
import NIOSSL

/// One keep-alive connection of a run: sends a request, waits for its response, reports both
/// times to its shard. Lives on its shard's event loop only.
final class LoadConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    struct Job {
        var n: Int
        var intended: NIODeadline
    }

    unowned let shard: LoadShard
    var context: ChannelHandlerContext?
    /// The request on the wire and when it was written.
    var inFlight: (job: Job, sent: NIODeadline)?
    /// Sent on connect: the request that made the shard open this connection.
    var first: Job?
    var framing = ResponseFraming()
    /// Kept apart from `framing`: a response's completion sends the next request while the
    /// framing is still being read.
    var headRequest = false
    var reusable = true
    var closed = false

    init(shard: LoadShard, first: Job?) {
        self.shard = shard
        self.first = first
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        // With TLS, NIOSSL holds this write until the handshake is done.
        if let job = first {
            first = nil
            send(job)
        } else {
            shard.ready(self)
        }
    }

    func send(_ job: Job) {
        guard let context else { return }
        let parts = shard.bank.parts(job.n)
        let now = NIODeadline.now()
        inFlight = (job, now)
        headRequest = parts.isHead
        shard.sent(job, at: now)
        context.writeAndFlush(wrapOutboundOut(parts.bytes), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(ResponseFraming.Problem) in
                try framing.consume(bytes, headRequest: headRequest) { status, keepAlive in finish(status: status, keepAlive: keepAlive) }
            }
        } catch {
            fail("bad response: \(error)")
            context.close(promise: nil)
        }
    }

    func finish(status: Int, keepAlive: Bool) {
        guard let (job, sent) = inFlight else { return }
        inFlight = nil
        reusable = keepAlive
        shard.answered(self, job: job, sent: sent, status: status, at: .now())
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.kind(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = framing.closed { status, keepAlive in finish(status: status, keepAlive: keepAlive) }
        fail("connection closed by the server before the response")
        closed = true
        self.context = nil
        shard.closed(self)
    }

    /// The request on the wire (or waiting for the handshake) gets no response.
    func fail(_ kind: String) {
        if let (job, _) = inFlight {
            inFlight = nil
            shard.failed(job, kind: kind)
        }
        if let job = first {
            first = nil
            shard.failed(job, kind: kind)
        }
    }

    func timeOut() {
        fail("timeout")
        close()
    }

    /// Closes on the next turn of the loop: a close from within a response's completion would
    /// re-enter this handler while it is still reading.
    func close() {
        guard let channel = context?.channel else { return }
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    static func kind(_ error: any Error) -> String {
        if let ssl = error as? NIOSSLError { return "TLS: \(ssl)" }
        if let io = error as? IOError { return io.description }
        if error is ChannelError { return "\(error)" }
        let text = String(describing: error)
        return text.contains("SSL") || text.contains("TLS") || text.contains("BoringSSL") ? "TLS: \(text)" : text
    }
}
