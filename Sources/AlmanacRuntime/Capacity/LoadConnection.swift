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

    /// A page whose assets are being fetched, one after another on this connection as a
    /// browser's first connection does: the visit answers when the last asset has.
    struct Visit {
        var job: Job
        var sent: NIODeadline
        /// The page's status, or the first failed asset's.
        var status: Int
        var asset: String
        var left: ArraySlice<String>
    }

    /// Pages are read up to this size for their assets.
    static let pageLimit = 1 << 20

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
    var bodyLimit = 0
    var visit: Visit?
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
        bodyLimit = parts.assets ? Self.pageLimit : 0
        shard.sent(job, at: now)
        context.writeAndFlush(wrapOutboundOut(parts.bytes), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(ResponseFraming.Problem) in
                try framing.consume(bytes, headRequest: headRequest, bodyLimit: bodyLimit) { finish($0) }
            }
        } catch {
            fail("bad response: \(error)")
            context.close(promise: nil)
        }
    }

    func finish(_ response: ResponseFraming.Response) {
        guard let (job, sent) = inFlight else { return }
        inFlight = nil
        reusable = response.keepAlive
        if var visit {
            shard.recorder.recordAsset(visit.asset, status: response.status)
            if response.status >= 400 && visit.status < 400 { visit.status = response.status }
            return follow(visit)
        }
        if bodyLimit > 0, response.status < 400 {
            let paths = PageAssets.paths(in: response.body)
            if let first = paths.first {
                return follow(Visit(job: job, sent: sent, status: response.status, asset: first, left: paths[...]))
            }
        }
        shard.answered(self, job: job, sent: sent, status: response.status, at: .now())
    }

    /// Sends the visit's next asset, or answers the page when none is left. Assets a closed
    /// connection cannot fetch count as unanswered: the page was not seen whole.
    func follow(_ visit: Visit) {
        var visit = visit
        guard let path = visit.left.popFirst() else {
            self.visit = nil
            return shard.answered(self, job: visit.job, sent: visit.sent, status: visit.status, at: .now())
        }
        guard reusable, let context else {
            for path in [path] + visit.left { shard.recorder.recordAsset(path, status: 0) }
            self.visit = nil
            return shard.answered(self, job: visit.job, sent: visit.sent, status: visit.status, at: .now())
        }
        visit.asset = path
        self.visit = visit
        inFlight = (visit.job, .now())
        headRequest = false
        bodyLimit = 0
        context.writeAndFlush(wrapOutboundOut(shard.bank.asset(path)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.kind(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = framing.closed { finish($0) }
        fail("connection closed by the server before the response")
        closed = true
        self.context = nil
        shard.closed(self)
    }

    /// The request on the wire (or waiting for the handshake) gets no response.
    func fail(_ kind: String) {
        if let visit {
            self.visit = nil
            shard.recorder.recordAsset(visit.asset, status: 0)
        }
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
