import AlmanacRuntime
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import _CryptoExtras

/// A small OpenID provider over real HTTP for tests: discovery, a JWKS whose keys the test
/// rotates, an authorisation endpoint that answers at once with a code, and a token endpoint
/// that checks the client secret and the PKCE verifier and returns the ID token the test made.
/// Tokens are signed here with swift-crypto, not with the library Almanac verifies them with.
public final class TestProvider: Sendable {
    public struct Key: Sendable {
        public let kid: String
        let key: _RSA.Signing.PrivateKey
    }

    struct State {
        var published: [String] = []
        var jwksFetches = 0
        var challenges: [String: (challenge: String, nonce: String)] = [:]
        var tokenFor: @Sendable (_ nonce: String) -> String = { _ in "" }
        var exchanges = 0
    }

    public let keys: [String: Key]
    public let clientID: String
    public let clientSecret: String
    private let state = Mutex(State())
    public var issuer: String { issuerBox.withLock { $0 } }

    /// The time its tokens are issued at: the server's own clock when a test drives it.
    public let clock: WallClock

    public init(kids: [String], clientID: String = "almanac", clientSecret: String = "s3cret", clock: WallClock = .system) throws {
        self.clock = clock
        var keys: [String: Key] = [:]
        for kid in kids { keys[kid] = Key(kid: kid, key: try _RSA.Signing.PrivateKey(keySize: .bits2048)) }
        self.keys = keys
        self.clientID = clientID
        self.clientSecret = clientSecret
        state.withLock { $0.published = [kids[0]] }
    }

    /// The kids the JWKS lists from now on (a key rotation).
    public func publish(_ kids: [String]) { state.withLock { $0.published = kids } }
    public var jwksFetches: Int { state.withLock { $0.jwksFetches } }
    public var exchanges: Int { state.withLock { $0.exchanges } }
    /// What the token endpoint answers next, given the nonce of the sign-in.
    public func answer(_ make: @escaping @Sendable (_ nonce: String) -> String) { state.withLock { $0.tokenFor = make } }

    /// Standard claims for `subject`, valid now, for this provider and client, with `nonce`.
    public func claims(subject: String, nonce: String, extra: [String: Any] = [:]) -> [String: Any] {
        let now = Int(clock.seconds())
        var claims: [String: Any] = ["iss": issuer, "sub": subject, "aud": clientID, "iat": now, "exp": now + 300, "nonce": nonce]
        for (name, value) in extra { claims[name] = value }
        return claims
    }

    /// A compact JWS: RS256 with one of the keys, HS256 keyed with a key's public PEM (the
    /// algorithm-confusion attack), or `none`.
    public enum Signing: Sendable {
        case rs256(String)
        case hs256WithPublicKeyOf(String)
        case none(kid: String)
    }

    public func token(_ claims: [String: Any], _ signing: Signing) throws -> String {
        let header: [String: Any]
        switch signing {
        case .rs256(let kid): header = ["alg": "RS256", "kid": kid, "typ": "JWT"]
        case .hs256WithPublicKeyOf(let kid): header = ["alg": "HS256", "kid": kid, "typ": "JWT"]
        case .none(let kid): header = ["alg": "none", "kid": kid, "typ": "JWT"]
        }
        let input =
            Self.encode(try JSONSerialization.data(withJSONObject: header)) + "." + Self.encode(try JSONSerialization.data(withJSONObject: claims))
        switch signing {
        case .rs256(let kid):
            let signature = try keys[kid]!.key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
            return input + "." + Self.encode(signature.rawRepresentation)
        case .hs256WithPublicKeyOf(let kid):
            let secret = SymmetricKey(data: Data(keys[kid]!.key.publicKey.pemRepresentation.utf8))
            return input + "." + Self.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: secret)))
        case .none:
            return input + "."
        }
    }

    static func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
            of: "=", with: "")
    }

    private func jwks() throws -> String {
        let published = state.withLock { state -> [String] in
            state.jwksFetches += 1
            return state.published
        }
        let entries = try published.map { kid -> [String: Any] in
            let primitives = try keys[kid]!.key.publicKey.getKeyPrimitives()
            return [
                "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": Self.encode(primitives.modulus),
                "e": Self.encode(primitives.publicExponent),
            ]
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: ["keys": entries]), as: UTF8.self)
    }

    /// Runs the provider on a free loopback port while `body` runs.
    public func run<R: Sendable>(_ body: @Sendable (TestProvider) async throws -> R) async throws -> R {
        let router = Router(context: BasicRequestContext.self)
        router.get("/.well-known/openid-configuration") { _, _ in
            let base = self.issuer
            return Self.json(
                [
                    "issuer": base, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token", "jwks_uri": base + "/jwks",
                    "end_session_endpoint": base + "/logout", "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                ])
        }
        router.get("/jwks") { _, _ in Self.text(try self.jwks()) }
        router.get("/authorize") { request, _ in
            let query = request.uri.queryParameters
            let code = UUID().uuidString
            self.state.withLock {
                $0.challenges[code] = (String(query["code_challenge"] ?? ""), String(query["nonce"] ?? ""))
            }
            let location = "\(query["redirect_uri"] ?? "")?code=\(code)&state=\(query["state"] ?? "")"
            return Response(status: .found, headers: [.location: location])
        }
        router.post("/token") { request, _ in
            let expected = "Basic " + Data("\(self.clientID):\(self.clientSecret)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { return Self.json(["error": "invalid_client"], status: .unauthorized) }
            let form = Self.form(String(buffer: try await request.body.collect(upTo: 1 << 16)))
            let code = form["code"] ?? ""
            guard let issued = self.state.withLock({ $0.challenges.removeValue(forKey: code) }) else {
                return Self.json(["error": "invalid_grant"], status: .badRequest)
            }
            let challenge = Self.encode(Data(SHA256.hash(data: Data((form["code_verifier"] ?? "").utf8))))
            guard challenge == issued.challenge else {
                return Self.json(["error": "invalid_grant", "error_description": "PKCE"], status: .badRequest)
            }
            let make = self.state.withLock { state in
                state.exchanges += 1
                return state.tokenFor
            }
            return Self.json(["access_token": "opaque", "token_type": "Bearer", "id_token": make(issued.nonce)])
        }
        var logger = Logger(label: "test-provider")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        return try await Serving.run(app, ports: ports, logger: logger) { port in
            self.setIssuer("http://127.0.0.1:\(port)")
            return try await body(self)
        }
    }

    private let issuerBox = Mutex("")
    private func setIssuer(_ value: String) { issuerBox.withLock { $0 = value } }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ json: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
