import Foundation
import NIOCore
import NIOPosix
import PostgresKit

/// A database failure told so a person can act on it: what went wrong in words (cannot connect,
/// authentication failed, database missing, permission denied) and the driver's own account as
/// the cause, with the URL's password removed. PostgresNIO's errors describe themselves as
/// "Generic description to prevent accidental leakage of sensitive data".
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The driver's full account (`String(reflecting:)`), credentials removed: for the logs.
    public var cause: String

    public var description: String { message }

    /// A failure of Almanac's own making, with nothing to redact.
    public init(message: String) {
        self.message = message
        cause = message
    }

    public init(_ error: any Error, url: String?) {
        let redacted = Self.redact(String(reflecting: error), url: url)
        cause = redacted
        let target = url.flatMap(Self.place) ?? "the database"
        guard let psql = error as? PSQLError else {
            if error is ConnectionPoolTimeoutError {
                message = "cannot connect to \(target): no connection within the pool's timeout (is PostgreSQL running and reachable?)"
            } else {
                message = "database error: \(Self.redact("\(error)", url: url))"
            }
            return
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let server = Self.redact(psql.serverInfo?[.message] ?? "", url: url)
        switch (psql.code, state) {
        case (.server, "28P01"), (.server, "28000"):
            message = "authentication failed for \(target): \(server) (check the user and password in --database)"
        case (.server, "3D000"):
            message = "the database of \(target) does not exist: \(server) (create it, or fix the name in --database)"
        case (.server, "42501"):
            message = "permission denied on \(target): \(server) (the user needs rights to create tables in its schema)"
        case (.server, _):
            message = "PostgreSQL refused a statement (\(state)): \(server)"
        case (.connectionError, _), (.serverClosedConnection, _), (.failedToAddSSLHandler, _), (.sslUnsupported, _):
            let reason = psql.underlying.map { Self.redact("\($0)", url: url) } ?? "\(psql.code)"
            message = "cannot connect to \(target): \(reason)"
        default:
            message = "database error (\(psql.code)) on \(target)"
        }
    }

    /// True when `error` says the database could not be reached (refused, closed, timed out),
    /// rather than that it refused a statement: an outage to wait out, not a bug to report.
    public static func isUnreachable(_ error: any Error) -> Bool {
        if error is ConnectionPoolTimeoutError || error is NIOConnectionError || error is ChannelError { return true }
        if let error = error as? IOError { return [ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, EHOSTUNREACH].contains(error.errnoCode) }
        guard let psql = error as? PSQLError else { return false }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection: return true
        default: return psql.underlying.map(isUnreachable) ?? false
        }
    }

    /// `host:port/database` of a postgres:// URL, without user or password.
    static func place(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        return "\(host):\(components.port ?? 5432)\(components.path)"
    }

    /// The text without the URL's password (and the URL's userinfo).
    static func redact(_ text: String, url: String?) -> String {
        guard let url, let components = URLComponents(string: url) else { return text }
        var out = text
        if let password = components.password, !password.isEmpty {
            out = out.replacingOccurrences(of: password, with: "***")
            if let encoded = components.percentEncodedPassword, encoded != password { out = out.replacingOccurrences(of: encoded, with: "***") }
        }
        return out
    }
}
