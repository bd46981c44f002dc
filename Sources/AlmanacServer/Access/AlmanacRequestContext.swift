import Hummingbird
import HummingbirdAuth

/// Who is calling, once the credentials are checked.
public struct Caller: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        /// An application evaluating flags with a client key.
        case client
        /// A person or tool with an admin token, or signed in with one.
        case admin
    }

    public var name: String
    public var role: Role
}

/// The request context of every route: Hummingbird's core context and the caller, if the
/// credentials named one.
public struct AlmanacRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Caller?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }

    /// The admin behind the request (token or session), named in pages and the audit log.
    var actor: String? { identity?.role == .admin ? identity?.name : nil }
}

/// Fills in the caller from an admin token, a session cookie or a client key; the access groups
/// decide what the caller may do.
struct CallerAuthenticator: AuthenticatorMiddleware {
    typealias Context = AlmanacRequestContext
    let auth: Authenticator

    func authenticate(request: Request, context: Context) async throws -> Caller? {
        auth.caller(request)
    }
}
