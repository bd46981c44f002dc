import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import AlmanacStorage
import Hummingbird

/// The admin API's bodies, as the OpenAPI document's `Flag` and `AuditEntry` schemas give them.
struct FlagRecord: Encodable {
    var key: String
    var state: String
    var type: String
    var variants: [String: JSONValue]
    @AlwaysSent var defaultVariant: String?
    var source: String
    var owner: String?
    var expires: String?
    var targeting: JSONValue?

    init(_ flag: Flag) {
        (key, state, type, variants) = (flag.key, flag.state.rawValue, flag.type.rawValue, flag.variants)
        (defaultVariant, source) = (flag.defaultVariant, "\(flag.source.file):\(flag.source.line)")
        (owner, expires, targeting) = (flag.owner, flag.expires, flag.targetingSource)
    }
}

struct AuditRecord: Encodable {
    var id: Int64
    var at: Int64
    var actor: String
    var action: String
    var flag: String
    @AlwaysSent var subject: String?
    @AlwaysSent var before: String?
    @AlwaysSent var after: String?
    var comment: String

    init(_ entry: AuditEntry) {
        (id, at, actor, action, flag) = (entry.id, entry.at, entry.actor, entry.action, entry.flagKey)
        (subject, before, after, comment) = (entry.subject, entry.before, entry.after, entry.comment)
    }
}

struct FlagList: Encodable { var flags: [FlagRecord] }
struct AuditList: Encodable { var entries: [AuditRecord] }
struct FlagsStatus: Encodable {
    var flags: Int
    var errors: [String]
    var warnings: [String]
}

/// Every change's body carries an optional comment for the audit log.
private enum ChangeKeys: String, CodingKey { case state, variant, subject, comment }

private func auditComment(_ container: KeyedDecodingContainer<ChangeKeys>) throws -> String {
    let text = try container.decodeIfPresent(String.self, forKey: .comment) ?? ""
    guard text.count <= 2000 else { throw invalid(.comment, in: container, "at most 2000 characters") }
    return text
}

/// A required field that may be `null` to clear what it sets.
private func clearable(_ key: ChangeKeys, _ container: KeyedDecodingContainer<ChangeKeys>, _ what: String) throws -> String? {
    guard container.contains(key) else { throw invalid(key, in: container, "required: \(what) or null") }
    if try container.decodeNil(forKey: key) { return nil }
    guard let text = try? container.decode(String.self, forKey: key) else { throw invalid(key, in: container, "must be \(what) or null") }
    return text
}

struct StateChange: Decodable {
    var state: FlagState?
    var comment: String
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ChangeKeys.self)
        let text = try clearable(.state, container, "ENABLED, DISABLED")
        if let text, FlagState(rawValue: text) == nil { throw invalid(.state, in: container, "must be ENABLED, DISABLED or null") }
        state = text.flatMap(FlagState.init(rawValue:))
        comment = try auditComment(container)
    }
}

struct DefaultVariantChange: Decodable {
    var variant: String?
    var comment: String
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ChangeKeys.self)
        variant = try clearable(.variant, container, "a variant name")
        comment = try auditComment(container)
    }
}

/// A pin (with `variant`) or an unpin (without).
struct PinChange: Decodable {
    var subject: PinSubject
    var variant: String?
    var comment: String
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ChangeKeys.self)
        let text = try? container.decode(String.self, forKey: .subject)
        guard let text, text.count <= 256, let subject = PinSubject(text) else {
            throw invalid(.subject, in: container, "required: user:ID or team:NAME, at most 256 characters")
        }
        self.subject = subject
        variant = try? container.decode(String.self, forKey: .variant)
        comment = try auditComment(container)
    }
}

extension ChangeProblem: APIProblem {
    public var status: HTTPResponse.Status {
        switch self {
        case .unknownFlag, .noRamp: .notFound
        case .unknownVariant: .badRequest
        }
    }

    public var fieldName: String? {
        switch self {
        case .unknownFlag, .noRamp: nil
        case .unknownVariant: "variant"
        }
    }
}
