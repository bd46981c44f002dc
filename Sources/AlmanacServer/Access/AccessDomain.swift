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
    var navigation: [NavigationEntry] { [NavigationEntry(title: "Access", path: "/access")] }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        AccessPages(service: service, renderer: web.renderer(AccessPages.templates), maximumBodyBytes: maximumBodyBytes).add(to: groups)
        groups.viewers.get("/api/v1/whoami") { _, context in
            guard let person = context.person else { return JSONResponse.error(.unauthorized, "not signed in") }
            return try JSONResponse.encode(Self.describe(person))
        }
        groups.admins.get("/api/v1/tokens") { _, _ in try JSONResponse.encode(["tokens": try await service.tokens().map(TokenRecord.init)]) }
        groups.admins.post("/api/v1/tokens") { request, context in
            let bytes = try await request.collectBody(limit: maximumBodyBytes)
            let request: TokenRequest
            do {
                guard case .object(let body) = try JSONParser.parse(bytes) else {
                    return JSONResponse.error(.badRequest, "body must be a JSON object")
                }
                request = try TokenRequest(body)
            } catch let problem as RequestProblem {
                return JSONResponse.error(.badRequest, problem.message, field: problem.field)
            } catch {
                return JSONResponse.error(.badRequest, "body is not valid JSON: \(error)")
            }
            let person = try context.requirePerson()
            let (id, secret) = try await service.createToken(name: request.name, grant: request.grant, days: request.days, by: person)
            return JSONResponse.make(.created, ["id": .int(id), "name": .string(request.name), "token": .string(secret)])
        }
        groups.admins.delete("/api/v1/tokens/:id") { _, context in
            guard let id = Int64(try context.parameters.require("id")) else { return JSONResponse.error(.notFound, "no such token") }
            guard try await service.revokeToken(id: id, by: try context.requirePerson()) else {
                return JSONResponse.error(.notFound, "no token \(id) to revoke")
            }
            return JSONResponse.make(.ok, ["id": .int(id), "revoked": .bool(true)])
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

    init(_ token: AccessStore.Token) {
        id = token.id
        name = token.name
        do { grant = try JSONDecoder().decode(AccessPolicy.Grant.self, from: Data(token.grant.utf8)).summary } catch { grant = "unreadable" }
        createdBy = token.createdBy
        created = ReportFormat.moment(token.created)
        expires = ReportFormat.moment(token.expires)
        revoked = token.revoked > 0 ? ReportFormat.moment(token.revoked) : nil
    }
}

/// A token asked for by the API or the page's form: name, role, optional scopes, days to live.
struct TokenRequest {
    var name: String
    var grant: AccessPolicy.Grant
    var days: Int

    init(_ body: [String: JSONValue]) throws(RequestProblem) {
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 80 else {
            throw RequestProblem("name", "required: a name of at most 80 characters")
        }
        guard let role = body["role"]?.stringValue.flatMap(AccessPolicy.Role.init(rawValue:)) else {
            throw RequestProblem("role", "required: viewer, operator or admin")
        }
        var days = 90
        if let value = body["days"] {
            guard case .int(let number) = value else { throw RequestProblem("days", "must be a whole number of days from 1 to 366") }
            days = Int(clamping: number)
        }
        guard (1...366).contains(days) else { throw RequestProblem("days", "must be a whole number of days from 1 to 366") }
        func names(_ field: String) throws(RequestProblem) -> Set<String>? {
            guard let value = body[field], value != .null else { return nil }
            guard case .array(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
                throw RequestProblem(field, "must be a list of names")
            }
            return Set(items.compactMap(\.stringValue))
        }
        self.name = name
        grant = AccessPolicy.Grant(role: role, environments: try names("environments"), teams: try names("teams"))
        self.days = days
    }
}

extension AlmanacRequestContext {
    /// The person a write is done by; the access group let only people with a role this far.
    func requirePerson() throws -> Identity {
        guard let person else { throw HTTPError(.unauthorized, message: "sign in first") }
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
