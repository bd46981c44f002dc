import AlmanacChecks
import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresKit

/// One result of a probe: a status in Nagios's terms, what it said, and the numbers that become series.
public struct ProbeResult: Sendable {
    public var status: CheckStatus
    public var output: String
    /// Seconds the probe took (the answer, the connection, the query).
    public var latency: Double?
    public var certificateDays: Double?
    public var metrics: [PluginOutput.Metric] = []

    public init(status: CheckStatus, output: String, latency: Double? = nil, certificateDays: Double? = nil, metrics: [PluginOutput.Metric] = []) {
        self.status = status
        self.output = output
        self.latency = latency
        self.certificateDays = certificateDays
        self.metrics = metrics
    }
}

/// Runs checks' probes. A probe never throws: whatever goes wrong is its result, CRITICAL with
/// the reason (or UNKNOWN when the check itself cannot run, as Nagios plugins report it).
public struct CheckProbes: Sendable {
    let environment: [String: String]
    let logger: Logger

    let clock: WallClock

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, clock: WallClock, logger: Logger) {
        self.clock = clock
        self.environment = environment
        self.logger = logger
    }

    public func run(_ check: Check) async -> ProbeResult {
        let started = ContinuousClock.now
        let seconds = { (ContinuousClock.now - started) / .seconds(1) }
        do {
            switch check.probe {
            case .http(let url, let status, let body, let latency, let days, let ca):
                return try await http(url: url, status: status, body: body, latency: latency, days: days, ca: ca, timeout: check.timeout)
            case .tcp(let host, let port):
                try await withTimeout(check.timeout) { try await Self.connect(host: host, port: port, timeout: check.timeout) }
                let took = seconds()
                return ProbeResult(status: .ok, output: String(format: "TCP OK - %.3f seconds to connect to %@:%d", took, host, port), latency: took)
            case .dns(let name, let expect):
                let addresses = try await withTimeout(check.timeout) { try await Self.resolve(name) }
                let took = seconds()
                if let expect, !addresses.contains(expect) {
                    return ProbeResult(
                        status: .critical, output: "DNS CRITICAL - \(name) resolves to \(addresses.joined(separator: ", ")), not \(expect)",
                        latency: took)
                }
                return ProbeResult(status: .ok, output: "DNS OK - \(name) resolves to \(addresses.joined(separator: ", "))", latency: took)
            case .command(let arguments):
                return try await PluginRunner.run(arguments, timeout: check.timeout)
            case .sql(let variable, let query, let expect):
                guard let url = environment[variable], !url.isEmpty else {
                    return ProbeResult(status: .unknown, output: "SQL UNKNOWN - the environment variable \(variable) is not set")
                }
                let value = try await withTimeout(check.timeout) { try await Self.query(url: url, query, logger: logger) }
                let took = seconds()
                if let expect, value != expect {
                    return ProbeResult(
                        status: .critical, output: "SQL CRITICAL - the query gave \(value ?? "no row"), expected \(expect)", latency: took)
                }
                return ProbeResult(status: .ok, output: "SQL OK - the query gave \(value ?? "no row")", latency: took)
            }
        } catch let timeout as CheckTimeout {
            return ProbeResult(status: .critical, output: "\(check.kind.uppercased()) CRITICAL - \(timeout)")
        } catch {
            return ProbeResult(status: .critical, output: "\(check.kind.uppercased()) CRITICAL - \(Self.describe(error))")
        }
    }

    func http(url: String, status: Int, body: String?, latency: Int64?, days: Int?, ca: String?, timeout: Int64) async throws -> ProbeResult {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca { tls.trustRoots = .file(ca) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .milliseconds(timeout), read: .milliseconds(timeout))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let started = ContinuousClock.now
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "almanac-check")
        let response = try await client.execute(request, timeout: .milliseconds(timeout))
        // A body larger than a megabyte is not read whole: a health page is small.
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let took = (ContinuousClock.now - started) / .seconds(1)
        var result = ProbeResult(status: .ok, output: "HTTP OK - \(response.status.code) in \(String(format: "%.3f", took)) s", latency: took)
        if Int(response.status.code) != status {
            result.status = .critical
            result.output = "HTTP CRITICAL - status \(response.status.code), expected \(status)"
        } else if let body, !text.contains(body) {
            result.status = .critical
            result.output = "HTTP CRITICAL - the answer does not contain '\(body)'"
        } else if let latency, took * 1000 > Double(latency) {
            result.status = .warning
            result.output = "HTTP WARNING - \(String(format: "%.3f", took)) s, more than \(Double(latency) / 1000) s"
        }
        if url.hasPrefix("https://"), let components = URLComponents(string: url), let host = components.host {
            let left = try await Self.certificateDays(host: host, port: components.port ?? 443, timeout: timeout, now: clock.milliseconds())
            result.certificateDays = left
            if left < 0 {
                result.status = .critical
                result.output = "HTTP CRITICAL - the certificate expired \(Int(-left)) days ago"
            } else if let days, left < Double(days), result.status == .ok {
                result.status = .warning
                result.output = "HTTP WARNING - the certificate has \(Int(left)) days left, fewer than \(days)"
            }
        }
        return result
    }

    /// Days until the server's certificate expires, read from a handshake that only looks at it
    /// (the request itself verified it).
    static func certificateDays(host: String, port: Int, timeout: Int64, now: Int64) async throws -> Double {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let context = try NIOSSLContext(configuration: tls)
        let seen = NIOLockedValueBox<time_t?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(timeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = try NIOSSLClientHandler(context: context, serverHostname: host.first?.isNumber == true ? nil : host) {
                        chain, promise in
                        seen.withLockedValue { $0 = chain.first?.notValidAfter }
                        promise.succeed(.certificateVerified)
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: host, port: port).get()
        defer { channel.close(promise: nil) }
        let deadline = ContinuousClock.now + .milliseconds(timeout)
        while seen.withLockedValue({ $0 }) == nil {
            guard ContinuousClock.now < deadline else { throw CheckTimeout(milliseconds: timeout) }
            try await Task.sleep(for: .milliseconds(5))
        }
        let notAfter = seen.withLockedValue { $0 } ?? 0
        return (Double(notAfter) - Double(now) / 1000) / 86_400
    }

    static func connect(host: String, port: Int, timeout: Int64) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(.milliseconds(timeout))
            .connect(host: host, port: port).get()
        try await channel.close()
    }

    /// The system resolver, as the services themselves resolve names; getaddrinfo blocks, so it
    /// runs on NIO's thread pool.
    static func resolve(_ name: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let code = getaddrinfo(name, nil, &hints, &list)
            guard code == 0 else { throw ResolveFailure(message: "\(name): \(String(validatingCString: gai_strerror(code)) ?? "error \(code)")") }
            defer { freeaddrinfo(list) }
            var addresses: [String] = []
            var next = list
            while let entry = next {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    let address = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    if !addresses.contains(address) { addresses.append(address) }
                }
                next = entry.pointee.ai_next
            }
            return addresses
        }
    }

    /// The first column of the first row, as text; nil when there is no row.
    static func query(url: String, _ query: String, logger: Logger) async throws -> String? {
        var configuration = try SQLPostgresConfiguration(url: url)
        configuration.searchPath = nil
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: query), logger: logger)
        for try await row in rows {
            guard let cell = row.first(where: { _ in true }), cell.bytes != nil else { return nil }
            // Results come in binary: each type is read as itself, then written as people write it.
            switch cell.dataType {
            case .bool: return try cell.decode(Bool.self) ? "true" : "false"
            case .int2: return String(try cell.decode(Int16.self))
            case .int4: return String(try cell.decode(Int32.self))
            case .int8: return String(try cell.decode(Int64.self))
            case .float4, .float8: return String(try cell.decode(Double.self))
            case .numeric: return "\(try cell.decode(Decimal.self))"
            default: return try cell.decode(String.self)
            }
        }
        return nil
    }

    static func describe(_ error: any Error) -> String {
        if let psql = error as? PSQLError { return "PostgreSQL: \(psql.serverInfo?[.message] ?? "\(psql.code)")" }
        if let ssl = error as? NIOSSLError { return "TLS: \(ssl)" }
        if let http = error as? HTTPClientError { return "\(http)" }
        return "\(error)"
    }
}

struct ResolveFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct CheckTimeout: Error, CustomStringConvertible {
    var milliseconds: Int64
    var description: String { "timed out after \(Double(milliseconds) / 1000) s" }
}

/// Runs `body`, or throws `CheckTimeout` once `milliseconds` have passed (cancelling it).
func withTimeout<T: Sendable>(_ milliseconds: Int64, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(milliseconds))
            throw CheckTimeout(milliseconds: milliseconds)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
