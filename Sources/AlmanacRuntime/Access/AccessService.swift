import AlmanacAccess
import AlmanacConfig
import AlmanacStorage
import Foundation
import Logging
import Synchronization

/// Who may do what: `access.yaml`, the provider people sign in with, their sessions, and the
/// named API tokens. Secrets are kept by hash and never logged.
public final class AccessService: Sendable {
    public static let sessionSeconds: Int64 = 12 * 3600
    /// How long a sign-in may take at the provider before its state is forgotten.
    static let signInSeconds: Int64 = 600

    public let files: ReloadingFiles<AccessPolicy>
    let store: AccessStore
    /// Bootstrap admin tokens from the environment, and the name each records.
    let adminTokens: [String: String]
    let environment: [String: String]
    /// Where people reach this server, when it is told (behind a proxy); otherwise each
    /// sign-in's redirect URI comes from the address the browser used.
    public let publicURL: String?
    let teams: @Sendable (SignedInPerson) -> [String]
    let keyRefetchSeconds: Double
    let logger: Logger
    private let client = Mutex<OIDCClient?>(nil)

    let clock: WallClock

    public init(
        configDirectory: String, database: Database, adminTokens: [String: String], environment: [String: String], publicURL: String?,
        keyRefetchSeconds: Double = 10,
        teams: @escaping @Sendable (SignedInPerson) -> [String], clock: WallClock, logger: Logger
    ) throws {
        self.clock = clock
        files = try ReloadingFiles(
            configDirectory: configDirectory, watching: [], clock: clock, logger: logger, alsoWatching: { _ in WatchList(files: [AccessFile.path]) }
        ) { root in
            let path = root + "/" + AccessFile.path
            guard FileManager.default.fileExists(atPath: path) else { return AccessPolicy() }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do throws(ConfigError) {
                return try AccessFile.parse(try ConfigDocument.parse(text, file: AccessFile.path))
            } catch { throw ConfigErrors([error]) }
        }
        store = AccessStore(database: database)
        self.adminTokens = adminTokens
        self.environment = environment
        self.publicURL = publicURL
        self.keyRefetchSeconds = keyRefetchSeconds
        self.teams = teams
        self.logger = logger
    }

    public var policy: AccessPolicy { files.current }

    /// The provider's client for the policy in force, made anew when `access.yaml` names another.
    public func provider() throws(SignInError) -> OIDCClient {
        guard let provider = policy.provider else { throw .notConfigured }
        let secret = environment[provider.clientSecretVariable] ?? ""
        return client.withLock { client in
            if let client, client.provider == provider, client.clientSecret == secret { return client }
            let made = OIDCClient(provider: provider, clientSecret: secret, keyRefetchSeconds: keyRefetchSeconds, clock: clock)
            client = made
            return made
        }
    }

    // MARK: Credentials

    /// The identity of a bearer credential: a bootstrap admin token, or a named API token
    /// neither revoked nor expired; nil for anything else.
    public func identity(bearer credential: String) async throws -> Identity? {
        if let name = Self.match(credential, in: adminTokens) {
            return Identity(subject: name, name: name, method: .adminToken, grants: AccessPolicy.everything)
        }
        guard credential.hasPrefix(Self.tokenPrefix), let token = try await store.token(hash: Secret.hash(credential), now: clock.milliseconds())
        else { return nil }
        let grant = try JSONDecoder().decode(AccessPolicy.Grant.self, from: Data(token.grant.utf8))
        return Identity(subject: "token \(token.id)", name: token.name, method: .apiToken, grants: [grant])
    }

    /// The identity of a session cookie's secret, while the session lasts.
    public func identity(session secret: String) async throws -> Identity? {
        guard let session = try await store.session(hash: Secret.hash(secret), now: clock.milliseconds()) else { return nil }
        return try JSONDecoder().decode(Identity.self, from: Data(session.person.utf8))
    }

    /// A new session for someone whose credential checked out; the secret goes in the cookie.
    public func startSession(_ identity: Identity, idToken: String = "") async throws -> String {
        let secret = Secret.make()
        let now = clock.milliseconds()
        let person = String(decoding: try JSONEncoder().encode(identity), as: UTF8.self)
        try await store.saveSession(hash: Secret.hash(secret), person: person, idToken: idToken, now: now, expires: now + Self.sessionSeconds * 1000)
        return secret
    }

    /// Ends the session; where the person signed in at the provider, the URL that ends theirs there too.
    public func endSession(_ secret: String, returnTo: String) async throws -> String? {
        let hash = Secret.hash(secret)
        let session = try await store.session(hash: hash, now: clock.milliseconds())
        try await store.endSession(hash: hash, now: clock.milliseconds())
        guard let session, !session.idToken.isEmpty, policy.provider != nil else { return nil }
        let client = try provider()
        return await client.logoutURL(idToken: session.idToken, returnTo: returnTo)
    }

    // MARK: Signing in through the provider

    /// Starts a sign-in: the provider's URL to send the browser to, and the secret that binds
    /// the sign-in to that browser (a cookie), so a state carried to another browser fails.
    public func beginSignIn(returnTo: String, siteURL: String) async throws -> (url: String, browser: String) {
        let provider = try provider()
        let metadata = try await provider.discover()
        let state = Secret.make()
        let browser = Secret.make()
        var generator = SystemRandomNumberGenerator()
        let verifier = PKCE.verifier(using: &generator)
        let nonce = Secret.make()
        let redirectURI = (publicURL ?? siteURL) + "/auth/callback"
        let signIn = AccessStore.SignIn(
            browserHash: Secret.hash(browser), nonce: nonce, verifier: verifier, returnTo: Self.localPath(returnTo), redirectURI: redirectURI,
            created: clock.milliseconds())
        try await store.saveSignIn(stateHash: Secret.hash(state), signIn, staleBefore: signIn.created - Self.signInSeconds * 1000)
        let url = metadata.authorizationURL(
            client: provider.provider.clientID, redirect: redirectURI, state: state, nonce: nonce, challenge: PKCE.challenge(for: verifier))
        return (url, browser)
    }

    /// Finishes a sign-in the provider sent back: the state must be one this browser started
    /// and not used before; then the code is traded and the ID token checked.
    public func finishSignIn(code: String, state: String, browser: String?) async throws -> (session: String, identity: Identity, returnTo: String) {
        let now = clock.milliseconds()
        guard let signIn = try await store.takeSignIn(stateHash: Secret.hash(state), staleBefore: now - Self.signInSeconds * 1000),
            signIn.created >= now - Self.signInSeconds * 1000, let browser, Secret.hash(browser) == signIn.browserHash
        else { throw SignInError.state }
        let provider = try provider()
        let (person, idToken) = try await provider.person(
            code: code, verifier: signIn.verifier, nonce: signIn.nonce, redirect: signIn.redirectURI, now: now / 1000)
        let grants = policy.grants(claims: person.roleNames, teams: teams(person))
        let identity = Identity(subject: person.subject, name: person.name, method: .provider, grants: grants)
        logger.info("signed in", metadata: ["subject": "\(person.subject)", "roles": "\(grants.map(\.summary))"])
        return (try await startSession(identity, idToken: idToken), identity, signIn.returnTo)
    }

    /// Only paths on this server are returned to, never another site.
    public static func localPath(_ path: String) -> String {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") ? path : "/"
    }

    // MARK: API tokens

    static let tokenPrefix = "alm_"

    /// A new token: its secret, shown once, and its id.
    public func createToken(
        name: String, grant: AccessPolicy.Grant, days: Int, by creator: Identity
    ) async throws -> (id: Int64, secret: String) {
        let secret = Secret.make(prefix: Self.tokenPrefix)
        let now = clock.milliseconds()
        let json = String(decoding: try JSONEncoder().encode(grant), as: UTF8.self)
        let id = try await store.saveToken(
            hash: Secret.hash(secret), name: name, grant: json, by: creator.auditName, now: now, expires: now + Int64(days) * 86_400_000)
        logger.info("API token created", metadata: ["token": "\(id)", "name": "\(name)", "by": "\(creator.auditName)"])
        return (id, secret)
    }

    /// An issued API token as stored: its hash, never its secret.
    public typealias Token = AccessStore.Token

    public func tokens() async throws -> [Token] { try await store.tokens() }

    public func revokeToken(id: Int64, by person: Identity) async throws -> Bool {
        let revoked = try await store.revokeToken(id: id, now: clock.milliseconds())
        if revoked { logger.info("API token revoked", metadata: ["token": "\(id)", "by": "\(person.auditName)"]) }
        return revoked
    }

    /// Compares every entry in constant time, so timing tells nothing about near misses.
    public static func match(_ credential: String, in table: [String: String]) -> String? {
        var found: String?
        for (token, name) in table where constantTimeEqual(token, credential) { found = name }
        return found
    }

    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) { difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return difference == 0
    }
}
