import AlmanacRuntime
import Hummingbird
import HummingbirdAuth
import NIOCore

/// Who is calling, once the credentials are checked: a person (signed in, or with a token), or
/// an application evaluating flags with a client key.
public struct Caller: Sendable, Equatable {
    public var person: Identity?
    public var client: String?

    public static func person(_ identity: Identity) -> Caller { Caller(person: identity, client: nil) }
    public static func client(_ name: String) -> Caller { Caller(person: nil, client: name) }
}

/// The request context of every route: Hummingbird's core context, the caller if the
/// credentials named one, and the peer's address (sign-in attempts are limited per address).
public struct AlmanacRequestContext: AuthRequestContext, RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Caller?
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
        remoteAddress = source.channel.remoteAddress
    }

    /// The person behind the request, as pages and the audit log name them.
    var actor: String? { identity?.person?.auditName }
    var person: Identity? { identity?.person }
    /// The address attempts are counted by.
    var address: String { remoteAddress?.ipAddress ?? "unknown" }
}
