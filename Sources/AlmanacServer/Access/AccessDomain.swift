import AlmanacAccess
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird
import Logging

/// Who may do what, at the edge: `access.yaml` reloaded with the other files, the API tokens'
/// page and API, and who the caller is.
struct AccessDomain: Domain {
    let service: AccessService
    let maximumBodyBytes: Int

    var reloadables: [any Reloadable] { [service.files] }
    var jobs: [ClusterJob] { [] }
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Access", path: "/access", group: .admin)] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        AccessPages(service: service, renderer: web.renderer(AccessPages.templates), maximumBodyBytes: maximumBodyBytes).add(to: groups)
        groups.viewers.get("/api/v1/whoami") { _, context in
            guard let person = context.person else { throw EdgeProblem.notSignedIn("not signed in") }
            return try JSONResponse.encode(Self.describe(person))
        }
        groups.admins.get("/api/v1/tokens") { _, _ in try JSONResponse.encode(TokenList(tokens: try await service.tokens().map(TokenRecord.init))) }
        groups.admins.post("/api/v1/tokens") { request, context in
            let asked = try await request.decode(TokenRequest.self, limit: maximumBodyBytes)
            let person = try context.requirePerson()
            let (id, secret) = try await service.createToken(name: asked.name, grant: asked.grant, days: asked.days, by: person)
            return try JSONResponse.encode(IssuedToken(id: id, name: asked.name, token: secret), status: .created)
        }
        groups.admins.delete("/api/v1/tokens/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { throw EdgeProblem.notFound("no such token") }
            guard try await service.revokeToken(id: id, by: try context.requirePerson()) else {
                throw EdgeProblem.notFound("no token \(id) to revoke")
            }
            return try JSONResponse.encode(RevokedToken(id: id, revoked: true))
        }
        return routes
    }

    struct Person: Encodable {
        var subject: String
        var name: String
        var method: String
        var role: String?
        var grants: [String]
    }

    static func describe(_ person: Identity) -> Person {
        Person(
            subject: person.subject, name: person.name, method: person.method.rawValue, role: person.role?.rawValue,
            grants: person.grants.map(\.summary))
    }
}

/// A token as listed: never its secret.
struct TokenRecord: Encodable {
    var id: Int64
    var name: String
    var grant: String
    var createdBy: String
    var created: String
    var expires: String
    var revoked: String?

    init(_ token: AccessService.Token) {
        id = token.id
        name = token.name
        do { grant = try JSONDecoder().decode(AccessPolicy.Grant.self, from: Data(token.grant.utf8)).summary } catch { grant = "unreadable" }
        createdBy = token.createdBy
        created = ReportFormat.moment(token.created)
        expires = ReportFormat.moment(token.expires)
        revoked = token.revoked > 0 ? ReportFormat.moment(token.revoked) : nil
    }
}

struct TokenList: Encodable { var tokens: [TokenRecord] }
struct IssuedToken: Encodable {
    var id: Int64
    var name: String
    var token: String
}
struct RevokedToken: Encodable {
    var id: Int64
    var revoked: Bool
}

/// A token asked for by the API or the page's form: name, role, optional scopes, days to live.
struct TokenRequest: Decodable {
    var name: String
    var grant: AccessPolicy.Grant
    var days: Int

    private enum Keys: String, CodingKey { case name, role, days, environments, teams }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let days: Int?
        do { days = try container.decodeIfPresent(Int.self, forKey: .days) } catch {
            throw RequestProblem("days", "must be a whole number of days from 1 to 366")
        }
        func names(_ key: Keys) throws -> [String]? {
            do { return try container.decodeIfPresent([String].self, forKey: key) } catch {
                throw RequestProblem(key.rawValue, "must be a list of names")
            }
        }
        try self.init(
            name: try? container.decode(String.self, forKey: .name), role: try? container.decode(String.self, forKey: .role), days: days,
            environments: try names(.environments), teams: try names(.teams))
    }

    init(name: String?, role: String?, days: Int?, environments: [String]?, teams: [String]?) throws(RequestProblem) {
        guard let name = name?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 80 else {
            throw RequestProblem("name", "required: a name of at most 80 characters")
        }
        guard let role = role.flatMap(AccessPolicy.Role.init(rawValue:)) else { throw RequestProblem("role", "required: viewer, operator or admin") }
        guard (1...366).contains(days ?? 90) else { throw RequestProblem("days", "must be a whole number of days from 1 to 366") }
        self.name = name
        grant = AccessPolicy.Grant(role: role, environments: environments.map(Set.init), teams: teams.map(Set.init))
        self.days = days ?? 90
    }
}

extension AlmanacRequestContext {
    /// The person a write is done by; the access group let only people with a role this far.
    func requirePerson() throws -> AlmanacRuntime.Identity {
        guard let person else { throw EdgeProblem.notSignedIn("sign in first") }
        return person
    }
}

extension AccessDomain {
    init(_ configuration: ServerConfiguration, database: Database, catalog: CatalogDomain, logger: Logger) throws {
        let knowledge = catalog.knowledge
        service = try AccessService(
            configDirectory: configuration.configDirectory, database: database, adminTokens: configuration.adminTokens,
            environment: configuration.environmentVariables, publicURL: configuration.publicURL, keyRefetchSeconds: configuration.keyRefetchSeconds,
            teams: { person in knowledge.current.catalog.teams(username: person.username, email: person.email) }, clock: configuration.clock,
            logger: logger)
        maximumBodyBytes = configuration.maximumBodyBytes
    }
}
