import AlmanacStorage
import Foundation

/// Secret links to on-call calendars, one per rotation or person, that calendar programs
/// subscribe to without signing in (they cannot): the secret is the right to read that one
/// feed, shown once when made and revocable on /oncall.
public struct CalendarLinks: Sendable {
    public typealias Link = CalendarLinkStore.Link

    /// What a link opens.
    public enum Feed: Sendable, Equatable {
        case rotation(String)
        case person(String)

        var stored: String {
            switch self {
            case .rotation(let name): "rotation:\(name)"
            case .person(let name): "person:\(name)"
            }
        }

        public init?(stored: String) {
            let parts = stored.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { return nil }
            switch parts[0] {
            case "rotation": self = .rotation(parts[1])
            case "person": self = .person(parts[1])
            default: return nil
            }
        }
    }

    let store: CalendarLinkStore
    let clock: WallClock

    public init(database: Database, clock: WallClock) {
        store = CalendarLinkStore(database: database)
        self.clock = clock
    }

    /// A new link's id and secret (returned only now).
    public func create(_ feed: Feed, by person: String) async throws -> (id: Int64, secret: String) {
        let secret = Secret.make()
        return (try await store.save(hash: Secret.hash(secret), feed: feed.stored, by: person, now: clock.milliseconds()), secret)
    }

    /// The feed a secret opens; nil for anything else: the wrong length or characters, unknown,
    /// revoked. The caller says nothing more, so a guess learns nothing.
    public func feed(secret: String) async throws -> Feed? {
        // Secret.make: 32 bytes in base64url without padding, 43 characters.
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        guard secret.count == 43, secret.allSatisfy(alphabet.contains) else { return nil }
        return try await store.link(hash: Secret.hash(secret)).flatMap { Feed(stored: $0.feed) }
    }

    public func links() async throws -> [Link] { try await store.links() }

    public func revoke(id: Int64) async throws -> Bool { try await store.revoke(id: id, now: clock.milliseconds()) }
}
