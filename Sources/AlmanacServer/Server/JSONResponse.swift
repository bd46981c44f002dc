import AlmanacConfig
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

    static func error(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) -> Response {
        var body: [String: JSONValue] = ["error": .string(message)]
        if let field { body["field"] = .string(field) }
        return make(status, .object(body))
    }
}

extension Request {
    /// The body, refusing more than `limit` bytes.
    func collectBody(limit: Int) async throws -> [UInt8] {
        let buffer = try await body.collect(upTo: limit)
        return Array(buffer.readableBytesView)
    }
}
