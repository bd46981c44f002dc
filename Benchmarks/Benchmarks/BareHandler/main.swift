import Hummingbird

// The least a Hummingbird server does for OFREP's route, as the reference `scripts/bench-http`
// measures Almanac against: read the body, answer the same JSON as a fixed string.
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : 8080
let answer = #"{"key":"search-suggestions","value":true,"reason":"STATIC","variant":"on","metadata":{"system":"website"}}"#
let router = Router()
router.post("/ofrep/v1/evaluate/flags/:key") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
