import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// Small helpers for JSON bodies, so handlers read as what they answer.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        text(status, JSONWriter.string(value), headers: headers)
    }

    static func text(_ status: HTTPResponse.Status, _ json: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// A `Codable` value as a 200 answer; records' optional fields are left out when nil.
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        text(status, try JSONReport.string(value))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) -> Response {
        var body: [String: JSONValue] = ["error": .string(message)]
        if let field { body["field"] = .string(field) }
        return make(status, .object(body))
    }
}

/// A field the API always sends, `null` when there is nothing, where synthesized `Encodable`
/// would leave it out.
@propertyWrapper
struct AlwaysSent<Value: Encodable>: Encodable {
    var wrappedValue: Value?
    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension Request {
    /// An HTML form's fields (`application/x-www-form-urlencoded`), at most `limit` bytes.
    func formFields(limit: Int) async throws -> [String: String] {
        let text = String(decoding: try await collectBody(limit: limit), as: UTF8.self)
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    /// The body, refusing more than `limit` bytes.
    func collectBody(limit: Int) async throws -> [UInt8] {
        let buffer = try await body.collect(upTo: limit)
        return Array(buffer.readableBytesView)
    }
}
