import AlmanacCapacity
import NIOCore
import NIOPosix
import NIOSSL

/// One event loop's share of a run: arrivals `index`, `index + shards`, ... of the schedule
/// (open model) or its connections (closed model). Every property is touched on `loop` only,
/// which is what makes the unchecked Sendable safe.
final class LoadShard: @unchecked Sendable {
    let loop: any EventLoop
    let target: LoadTarget
    let bank: RequestBank
    let index: Int
    let shards: Int
    let model: LoadTest.Model
    let schedule: ArrivalSchedule?
    let timeout: TimeAmount
    let collector: LoadCollector
    let tls: NIOSSLContext?
    let start: NIODeadline

    var recorder = LoadRecorder()
    var interval = LatencyHistogram.latency()
    var intervalCompleted = 0
    var intervalErrors = 0
    var intervalNumber = 0
    var connections: [ObjectIdentifier: LoadConnection] = [:]
    var idle: [LoadConnection] = []
    var pending = CircularBuffer<LoadConnection.Job>()
    var next: Int
    var closedSent = 0
    var stopping = false
    var finished = false
    var failuresInARow = 0
    var everAnswered = false
    var unreachable: String?
    let done: EventLoopPromise<Void>

    static let queueLimit = 1_000_000
    static let connectingLimit = 4
    var connecting = 0

    init(
        loop: any EventLoop, target: LoadTarget, bank: RequestBank, index: Int, shards: Int, model: LoadTest.Model, timeoutSeconds: Double,
        collector: LoadCollector, tls: NIOSSLContext?, start: NIODeadline
    ) {
        self.loop = loop
        self.target = target
        self.bank = bank
        self.index = index
        self.shards = shards
        self.model = model
        if case .open(let stages, _) = model { schedule = ArrivalSchedule(stages) } else { schedule = nil }
        timeout = .nanoseconds(Int64(timeoutSeconds * 1e9))
        self.collector = collector
        self.tls = tls
        self.start = start
        next = index
        done = loop.makePromise()
    }

    var end: NIODeadline { start + .nanoseconds(Int64(model.seconds * 1e9)) }
    var maximumConnections: Int { max(1, (model.connections + shards - 1 - index) / shards) }

    func begin() {
        // Connections opened before the first arrival, so the schedule does not start late.
        if case .open = model { for _ in 0..<min(maximumConnections, 64) { open(first: nil) } }
        loop.scheduleTask(deadline: start) { [self] in
            switch model {
            case .open: tick()
            case .closed:
                for _ in 0..<maximumConnections { open(first: nextClosedJob()) }
            }
        }
        // Seconds of the timeline count from the first arrival, not from setting up.
        loop.scheduleRepeatedTask(initialDelay: start + .seconds(1) - .now(), delay: .seconds(1)) { [self] task in
            flushInterval()
            if finished { task.cancel() }
        }
        loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { [self] task in
            sweep()
            if finished { task.cancel() }
        }
        loop.scheduleTask(deadline: end) { [self] in
            if case .closed = model { stopping = true }
            finishIfDrained()
        }
    }

    /// Sends every arrival that is due, then sleeps until the next one.
    func tick() {
        guard let schedule, !stopping else { return }
        let now = NIODeadline.now()
        while let offset = schedule.offset(next) {
            let intended = start + .nanoseconds(Int64(offset * 1e9))
            guard intended <= now else {
                // Above 5,000 requests a second, arrivals are sent in batches every 200 µs: one
                // timer per arrival costs a system call each and makes the schedule slip.
                loop.scheduleTask(deadline: max(intended, now + .microseconds(200))) { [self] in tick() }
                return
            }
            dispatch(.init(n: next, intended: intended))
            next += shards
        }
        finishIfDrained()
    }

    /// The open model's jobs never wait for a connection being opened: they queue, and go out
    /// on whichever connection is free first. A few connects at a time at most, because a burst
    /// of hundreds of connects takes the server 100 ms to accept and would stall the schedule.
    func dispatch(_ job: LoadConnection.Job) {
        if let connection = idle.popLast() { return connection.send(job) }
        guard pending.count < Self.queueLimit else {
            recorder.dropped += 1
            return
        }
        pending.append(job)
        growIfQueued()
    }

    func growIfQueued() {
        while !pending.isEmpty, connecting < Self.connectingLimit, connections.count < maximumConnections { open(first: nil) }
    }

    func nextClosedJob() -> LoadConnection.Job {
        defer { next += shards }
        return .init(n: next, intended: .now())
    }

    func open(first: LoadConnection.Job?) {
        let connection = LoadConnection(shard: self, first: first)
        connections[ObjectIdentifier(connection)] = connection
        connecting += 1
        let target = target
        let tls = tls
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.host.first?.isNumber == true ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { [self] result in
                connecting -= 1
                switch result {
                case .success: break
                case .failure(let error):
                    let kind = "cannot connect to \(target.host):\(target.port): \(LoadConnection.kind(error))"
                    connection.fail(kind)
                    // The request that waits longest is the one this connection was opened for.
                    if case .open = model, let job = pending.popFirst() { failed(job, kind: kind) }
                    connections[ObjectIdentifier(connection)] = nil
                    if !finished { replaceClosedConnection() }
                }
            }
    }

    /// A warm connection with nothing to send yet.
    func ready(_ connection: LoadConnection) {
        if let job = pending.popFirst() { connection.send(job) } else { idle.append(connection) }
        growIfQueued()
    }

    func sent(_ job: LoadConnection.Job, at now: NIODeadline) {
        guard case .open = model else {
            recorder.sent += 1
            return
        }
        recorder.recordSent(lagMicros: UInt64(max(0, (now - job.intended).nanoseconds / 1000)))
    }

    func answered(_ connection: LoadConnection, job: LoadConnection.Job, sent: NIODeadline, status: Int, at now: NIODeadline) {
        everAnswered = true
        failuresInARow = 0
        let response = UInt64(max(0, (now - job.intended).nanoseconds / 1000))
        let service = UInt64(max(0, (now - sent).nanoseconds / 1000))
        recorder.recordResponse(status: status, responseMicros: response, serviceMicros: service)
        _ = interval.record(min(response, interval.highestTrackableValue))
        intervalCompleted += 1
        if status >= 400 { intervalErrors += 1 }
        guard connection.reusable else {
            connection.close()
            return
        }
        reuse(connection)
    }

    func reuse(_ connection: LoadConnection) {
        switch model {
        case .open:
            if let job = pending.popFirst() { connection.send(job) } else { idle.append(connection) }
            finishIfDrained()
        case .closed:
            if stopping || NIODeadline.now() >= end { finishIfDrained() } else { connection.send(nextClosedJob()) }
        }
    }

    func failed(_ job: LoadConnection.Job, kind: String) {
        recorder.recordFailure(kind)
        intervalErrors += 1
        failuresInARow += 1
        // A target that has never answered and fails every request (refused, no TLS, hangs up)
        // is not hammered for the whole duration: the run stops and says why.
        if !everAnswered && failuresInARow >= 50 && unreachable == nil {
            unreachable = "no response from \(target.base): \(kind)"
            loop.execute { [self] in stop() }
        }
    }

    func closed(_ connection: LoadConnection) {
        connections[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        replaceClosedConnection()
    }

    /// Keeps the closed model's concurrency and drains the open model's queue after a close.
    func replaceClosedConnection() {
        guard !stopping else { return finishIfDrained() }
        switch model {
        case .open:
            growIfQueued()
            finishIfDrained()
        case .closed:
            if NIODeadline.now() < end { open(first: nextClosedJob()) } else { finishIfDrained() }
        }
    }

    /// Requests past their timeout get no response; queued ones past it are never sent.
    func sweep() {
        let now = NIODeadline.now()
        for connection in connections.values {
            if let (_, sent) = connection.inFlight, now - sent > timeout { connection.timeOut() }
        }
        while let job = pending.first, now - job.intended > timeout {
            pending.removeFirst()
            recorder.recordFailure("timeout (queued, never sent)")
            intervalErrors += 1
        }
        if stopping || now > end + timeout { stop() }
    }

    func flushInterval() {
        if finished && intervalCompleted == 0 && intervalErrors == 0 { return }
        intervalNumber += 1
        // Handed over whole and replaced: the collector's task merges it, off this loop.
        collector.add(.init(second: intervalNumber, completed: intervalCompleted, errors: intervalErrors, histogram: interval))
        interval = LatencyHistogram.latency()
        intervalCompleted = 0
        intervalErrors = 0
    }

    func finishIfDrained() {
        guard !finished else { return }
        if stopping { return stop() }
        // Cheapest first: this runs after every response.
        guard pending.isEmpty, schedule.map({ $0.offset(next) == nil }) ?? (NIODeadline.now() >= end) else { return }
        if !connections.values.contains(where: { $0.inFlight != nil || $0.first != nil }) { stop() }
    }

    /// Ends this shard: what was never sent counts as dropped, open connections close.
    func stop() {
        guard !finished else { return }
        stopping = true
        let busy = connections.values.contains { $0.inFlight != nil || $0.first != nil }
        if busy && NIODeadline.now() < end + timeout && unreachable == nil && !collector.aborted { return }
        finished = true
        recorder.dropped += pending.count
        pending.removeAll()
        if let schedule {
            var n = next
            while schedule.offset(n) != nil {
                recorder.dropped += 1
                n += shards
            }
        }
        for connection in connections.values {
            // An aborted run's last requests are not the server's errors; a finished run's are late.
            if collector.aborted || unreachable != nil {
                connection.inFlight = nil
                connection.first = nil
            } else {
                connection.fail("timeout (no response by the end of the test)")
            }
            connection.close()
        }
        connections.removeAll()
        idle.removeAll()
        if intervalCompleted > 0 || intervalErrors > 0 { flushInterval() }
        collector.add(recorder)
        if let unreachable { collector.abort(unreachable) }
        done.succeed()
    }
}
