import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import Foundation
import Hummingbird

/// The OpenFeature Remote Evaluation Protocol (v0.3.0): single and bulk evaluation, with the
/// spec's status codes and error bodies, and ETags on bulk responses.
/// The client-key group checked credentials and rate before a handler runs.
struct OFREPRoutes: Sendable {
    let flags: FlagService
    let metrics: ServerMetrics
    let maximumBodyBytes: Int
    let clock: WallClock
    /// Where people reach the server (`--public-url`); else the request's own host.
    let publicURL: String?

    func add(to groups: AccessGroups) {
        let clients = groups.clients
        clients.post("/ofrep/v1/evaluate/flags/:key") { request, context in
            try await evaluateOne(request, key: try context.parameters.require("key"))
        }
        clients.post("/ofrep/v1/evaluate/flags") { request, _ in
            try await evaluateAll(request)
        }
        groups.open.get("/ofrep/v1/configuration") { _, _ in
            JSONResponse.make(
                .ok,
                [
                    "name": "almanac",
                    "capabilities": ["cacheInvalidation": ["polling": ["enabled": true, "minPollingIntervalMs": 1000]]],
                ])
        }
    }

    private enum ParsedBody {
        case context([String: JSONValue])
        case refusal(Response)
    }

    /// The evaluation context from the body, or the 400 to send.
    private func evaluationContext(_ request: Request, key: String?) async throws -> ParsedBody {
        let bytes = try await request.collectBody(limit: maximumBodyBytes)
        func failure(_ code: ErrorCode, _ details: String) -> ParsedBody {
            var body: [String: JSONValue] = ["errorCode": .string(code.rawValue), "errorDetails": .string(details)]
            if let key { body["key"] = .string(key) }
            return .refusal(JSONResponse.make(.badRequest, .object(body)))
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .context([:]) }
        let body: JSONValue
        do throws(JSONParser.Failure) {
            body = try JSONParser.parse(bytes)
        } catch {
            return failure(.parseError, "request body is not valid JSON: \(error)")
        }
        guard case .object(let members) = body else { return failure(.invalidContext, "request body must be a JSON object") }
        guard let contextValue = members["context"] else { return .context([:]) }
        guard case .object(let context) = contextValue else { return failure(.invalidContext, "context must be a JSON object") }
        if let targetingKey = context["targetingKey"], targetingKey.stringValue == nil, targetingKey != .null {
            return failure(.invalidContext, "context.targetingKey must be a string")
        }
        return .context(context)
    }

    private func evaluateOne(_ request: Request, key: String) async throws -> Response {
        let started = ContinuousClock.now
        defer { metrics.observeRequest(.single, since: started) }
        let context: [String: JSONValue]
        switch try await evaluationContext(request, key: key) {
        case .refusal(let response): return response
        case .context(let c): context = c
        }
        let resolution = flags.evaluate(key, context: context, timestamp: clock.seconds())
        guard let code = resolution.errorCode else { return JSONResponse.text(.ok, Self.success(resolution)) }
        return JSONResponse.text(code == .flagNotFound ? .notFound : .badRequest, Self.failure(resolution))
    }

    private func evaluateAll(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        defer { metrics.observeRequest(.bulk, since: started) }
        let context: [String: JSONValue]
        switch try await evaluationContext(request, key: nil) {
        case .refusal(let response): return response
        case .context(let c): context = c
        }
        let timestamp = clock.seconds()
        let resolutions = flags.evaluateAll(context: context, timestamp: timestamp)
        // Where to hear of changes (OFREP ADR-0008): the stream tells the client when to fetch again.
        var stream = "{\"type\":\"sse\",\"url\":"
        JSONWriter.writeString(SessionCookies.siteURL(request, publicURL: publicURL) + OFREPStream.path, to: &stream)
        let body =
            "{\"flags\":[" + resolutions.map { $0.errorCode == nil ? Self.success($0) : Self.failure($0) }.joined(separator: ",")
            + "],\"refreshConnections\":[" + stream + "}]}"
        let etag = "\"" + String(MurmurHash3.hash32(body.utf8), radix: 16) + String(body.utf8.count, radix: 16) + "\""
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag })
        {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        return JSONResponse.text(.ok, body, headers: [.eTag: etag])
    }

    /// Success body: `variant` is always present (null when the caller's default applies), and
    /// `value` is left out in that case, as OFREP defines for deferring to the code default.
    static func success(_ r: Resolution) -> String {
        var out = "{\"key\":"
        JSONWriter.writeString(r.key, to: &out)
        if let value = r.value {
            out += ",\"value\":"
            JSONWriter.write(value, to: &out)
        }
        out += ",\"reason\":\"" + r.reason.rawValue + "\",\"variant\":"
        if let variant = r.variant { JSONWriter.writeString(variant, to: &out) } else { out += "null" }
        out += ",\"metadata\":"
        JSONWriter.write(.object(r.metadata), to: &out)
        return out + "}"
    }

    static func failure(_ r: Resolution) -> String {
        JSONWriter.string([
            "key": .string(r.key), "errorCode": .string(r.errorCode?.rawValue ?? ErrorCode.general.rawValue),
            "errorDetails": .string(r.errorMessage ?? ""),
        ])
    }
}
