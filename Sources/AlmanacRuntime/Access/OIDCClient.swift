import AlmanacAccess
import AlmanacConfig
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Why signing in through the provider failed; said without any token or secret.
public enum SignInError: Error, Sendable, CustomStringConvertible {
    case notConfigured
    case provider(String)
    case refused(TokenRefusal)
    /// A state that was never issued, was used already, or came back to another browser.
    case state
    case throttled(retryAfter: Int)

    public var description: String {
        switch self {
        case .notConfigured: "sign-in through a provider is not configured (access.yaml has no issuer)"
        case .provider(let why): why
        case .refused(let refusal): refusal.description
        case .state: "this sign-in was not started here, or was used already; start again"
        case .throttled(let seconds): "too many sign-in attempts from this address; try again in \(seconds) s"
        }
    }
}

/// The provider as Almanac's server talks to it: discovery, keys, the token endpoint. Keys are
/// cached and fetched again when a token names one not seen, at most once per
/// `keyRefetchSeconds`, so tokens with made-up key ids cannot make Almanac hammer the provider.
public actor OIDCClient {
    public let provider: AccessPolicy.Provider
    let clientSecret: String
    let keyRefetchSeconds: Double
    private let http: HTTPClient
    private var metadata: ProviderMetadata?
    private var keys: ProviderKeys?
    private var keysFetchedAt: Int64?
    let clock: WallClock
    /// How many times the keys were fetched (tests read it).
    public private(set) var keyFetches = 0

    public init(provider: AccessPolicy.Provider, clientSecret: String, keyRefetchSeconds: Double = 10, clock: WallClock) {
        self.clock = clock
        self.provider = provider
        self.clientSecret = clientSecret
        self.keyRefetchSeconds = keyRefetchSeconds
        http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow, timeout: .init(read: .seconds(10))))
    }

    deinit { try? http.syncShutdown() }

    /// The discovery document, fetched once and kept.
    public func discover() async throws(SignInError) -> ProviderMetadata {
        if let metadata { return metadata }
        let url =
            provider.issuer.hasSuffix("/")
            ? provider.issuer + ".well-known/openid-configuration" : provider.issuer + "/.well-known/openid-configuration"
        let body = try await get(url)
        do {
            let found = try ProviderMetadata.parse(body, issuer: provider.issuer)
            metadata = found
            return found
        } catch { throw .provider(error.description) }
    }

    /// Trades the code for tokens (with the PKCE verifier), verifies the ID token and reads the person.
    public func person(
        code: String, verifier: String, nonce: String, redirect: String, now: Int64
    ) async throws(SignInError) -> (SignedInPerson, String) {
        let metadata = try await discover()
        var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier)]
        var request = HTTPClientRequest(url: metadata.tokenEndpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if metadata.tokenAuthMethods.contains("client_secret_basic") {
            // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic authentication.
            let pair = URLEncoding.component(provider.clientID) + ":" + URLEncoding.component(clientSecret)
            request.headers.add(name: "Authorization", value: "Basic " + Data(pair.utf8).base64EncodedString())
        } else {
            form += [("client_id", provider.clientID), ("client_secret", clientSecret)]
        }
        request.body = .bytes(ByteBuffer(string: URLEncoding.pairs(form)))
        let answer = try await send(request, what: "the token endpoint", acceptingErrors: true)
        let idToken: String
        do { idToken = try ProviderMetadata.idToken(fromTokenResponse: answer) } catch { throw .refused(error) }
        return (try await verify(idToken, nonce: nonce, now: now), idToken)
    }

    /// Verifies an ID token: signature by the key its header names (fetching the keys again
    /// once if that key is new), then the claims.
    public func verify(_ idToken: String, nonce: String, now: Int64) async throws(SignInError) -> SignedInPerson {
        var keys = try await currentKeys(refresh: false)
        let claims: [String: Any]
        do {
            claims = try await keys.verify(idToken)
        } catch .unknownKey(let kid) {
            keys = try await currentKeys(refresh: true)
            do { claims = try await keys.verify(idToken) } catch { throw .refused(error == .unknownKey(kid) ? .unknownKey(kid) : error) }
        } catch {
            throw .refused(error)
        }
        do {
            return try SignedInPerson.read(claims, issuer: provider.issuer, client: provider.clientID, nonce: nonce, now: now)
        } catch { throw .refused(error) }
    }

    /// Sends the person to the provider to end its session too, when the provider offers it.
    public func logoutURL(idToken: String?, returnTo: String) async -> String? {
        (try? await discover())?.logoutURL(idToken: idToken, client: provider.clientID, returnTo: returnTo)
    }

    private func currentKeys(refresh: Bool) async throws(SignInError) -> ProviderKeys {
        if let keys, !refresh { return keys }
        if let keys, let keysFetchedAt, Double(clock.milliseconds() - keysFetchedAt) / 1000 < keyRefetchSeconds { return keys }
        let metadata = try await discover()
        let body = try await get(metadata.jwksURI)
        keyFetches += 1
        keysFetchedAt = clock.milliseconds()
        do {
            let fetched = try ProviderKeys(jwks: body)
            keys = fetched
            return fetched
        } catch { throw .refused(error) }
    }

    private func get(_ url: String) async throws(SignInError) -> Data {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        return try await send(request, what: url, acceptingErrors: false)
    }

    /// The body of an answer; the token endpoint's 400 carries an `error` worth reading.
    private func send(_ request: HTTPClientRequest, what: String, acceptingErrors: Bool) async throws(SignInError) -> Data {
        // A few requests a sign-in: a fresh connection each, since some providers answer
        // HTTP/1.0 and close, and a pooled connection would then fail on its next use.
        var request = request
        request.headers.replaceOrAdd(name: "Connection", value: "close")
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok || (acceptingErrors && response.status == .badRequest) else {
                throw SignInError.provider("\(what) answered \(response.status.code)")
            }
            return Data(buffer: body)
        } catch let error as SignInError {
            throw error
        } catch {
            throw .provider("the provider cannot be reached at \(what): \(String(reflecting: error))")
        }
    }
}
