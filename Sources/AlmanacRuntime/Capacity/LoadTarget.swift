import AlmanacCapacity
import NIOCore

/// Where a load test sends, and its requests ready to write: heads and bodies built once for
/// plans up to `cacheLimit` requests, so the hot path only copies references.
struct LoadTarget: Sendable {
    var host: String
    var port: Int
    var tls: Bool
    var base: String

    init(_ text: String) throws(LoadProblem) {
        let tls = text.hasPrefix("https://")
        let rest = text.dropFirst(tls ? 8 : 7)
        let authority = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        var host = authority
        var port = tls ? 443 : 80
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .badTarget("'\(text)' has no valid port")
            }
            host = String(authority[..<colon])
            port = parsed
        }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .badTarget("'\(text)' has no host") }
        self.host = host
        self.port = port
        self.tls = tls
        base = text
    }

    var hostHeader: String { (tls && port == 443) || (!tls && port == 80) ? host : "\(host):\(port)" }
}

/// Encoded requests of a plan: request `n` is `parts[n % parts.count]` when the whole plan is cached.
struct RequestBank: Sendable {
    struct Parts: Sendable {
        /// The whole request as written on the wire.
        var bytes: ByteBuffer
        var isHead: Bool
        /// The response is a page whose assets are fetched next.
        var assets: Bool
    }

    static let cacheLimit = 100_000
    let plan: RequestPlan
    let target: LoadTarget
    let cached: [Parts]

    init(plan: RequestPlan, target: LoadTarget) {
        self.plan = plan
        self.target = target
        cached = plan.count <= Self.cacheLimit ? (0..<plan.count).map { Self.encode(plan.request($0), target: target) } : []
    }

    func parts(_ n: Int) -> Parts { cached.isEmpty ? Self.encode(plan.request(n), target: target) : cached[n % cached.count] }

    static func encode(_ request: RequestPlan.Planned, target: LoadTarget) -> Parts {
        var text = "\(request.method) \(request.path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nUser-Agent: almanac-load\r\n"
        for line in request.headers where !line.lowercased().hasPrefix("content-length:") { text += line + "\r\n" }
        if let body = request.body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (request.body ?? "")
        return Parts(bytes: ByteBuffer(string: text), isHead: request.method == "HEAD", assets: request.assets)
    }

    /// The request a browser makes for an asset a page names.
    func asset(_ path: String) -> ByteBuffer {
        ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: \(target.hostHeader)\r\nUser-Agent: almanac-load\r\n\r\n")
    }
}

/// Why a run could not start: a target that is not a URL, data that does not fit its test.
public enum LoadProblem: Error, Sendable, CustomStringConvertible {
    case badTarget(String)
    case data(String)

    public var description: String {
        switch self {
        case .badTarget(let text): "target: \(text)"
        case .data(let text): text
        }
    }
}
