import Foundation
import Hummingbird

/// The HTTP API's OpenAPI 3.1 document, `Sources/AlmanacServer/Resources/openapi.json` in the
/// repository, which SwiftPM copies beside the executable.
enum OpenAPIDocument {
    // Looked up by hand rather than through `Bundle.module`, whose accessor stops the process
    // when an executable is run without its resources.
    static let data: Data? = {
        let folder = Bundle.main.bundleURL.appendingPathComponent("Almanac_AlmanacServer.resources")
        return FileManager.default.contents(atPath: folder.appendingPathComponent("openapi.json").path)
    }()

    static func response() -> Response {
        guard let data else {
            return JSONResponse.error(.notFound, "the OpenAPI document is not installed beside the executable (Almanac_AlmanacServer.resources)")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
