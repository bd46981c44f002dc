import AlmanacTesting
import Foundation
import Testing

/// OFREP over real HTTP on loopback: bodies, status codes, ETags, keys and limits.
@Suite struct OFREPTests {
    let url = "/ofrep/v1/evaluate/flags"

    @Test func evaluatesEveryType() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let pro = try await HTTP.send("POST", server.baseURL + url + "/banner", body: #"{"context": {"plan": "pro"}}"#)
            #expect(pro.status == 200)
            #expect(pro.body == #"{"key":"banner","value":true,"reason":"TARGETING_MATCH","variant":"on","metadata":{}}"#)
            let ratio = try await HTTP.send("POST", server.baseURL + url + "/ratio", body: "{}")
            #expect(ratio.body.contains(#""value":1.0,"#), "a float flag's whole number keeps its decimal point")
            let object = try Fixture.json(try await HTTP.send("POST", server.baseURL + url + "/limits").body)
            #expect((object["value"] as? [String: Any])?["n"] as? Int == 1)
            #expect(object["reason"] as? String == "STATIC")
        }
    }

    @Test func disabledAndMissingFlags() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let retired = try await HTTP.send("POST", server.baseURL + url + "/retired", body: "{}")
            #expect(retired.status == 200)
            #expect(retired.body == #"{"key":"retired","reason":"DISABLED","variant":null,"metadata":{}}"#)
            let missing = try await HTTP.send("POST", server.baseURL + url + "/nope", body: "{}")
            #expect(missing.status == 404)
            #expect(try Fixture.json(missing.body)["errorCode"] as? String == "FLAG_NOT_FOUND")
        }
    }

    @Test func malformedBodiesGetClearErrorsAndTheServerKeepsServing() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            for (body, code) in [
                ("{bad", "PARSE_ERROR"), ("[1]", "INVALID_CONTEXT"), (#"{"context": 3}"#, "INVALID_CONTEXT"),
                (#"{"context": {"targetingKey": 7}}"#, "INVALID_CONTEXT"), ("\u{0}\u{1}", "PARSE_ERROR"),
            ] {
                let reply = try await HTTP.send("POST", server.baseURL + url + "/banner", body: body)
                #expect(reply.status == 400, "\(body)")
                let json = try Fixture.json(reply.body)
                #expect(json["errorCode"] as? String == code, "\(body)")
                #expect((json["errorDetails"] as? String)?.isEmpty == false)
            }
            let huge = try await HTTP.send("POST", server.baseURL + url + "/banner", body: String(repeating: " ", count: 100_000))
            #expect(huge.status == 413)
            #expect(try await HTTP.send("POST", server.baseURL + url + "/banner").status == 200)
        }
    }

    @Test func bulkEvaluationHasAnETagAnd304() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            let first = try await HTTP.send("POST", server.baseURL + url, body: #"{"context": {"plan": "pro"}}"#)
            #expect(first.status == 200)
            let flags = try #require(try Fixture.json(first.body)["flags"] as? [[String: Any]])
            #expect(flags.map { $0["key"] as? String } == ["banner", "headline", "limits", "ratio", "retired"])
            let etag = try #require(first.header("ETag"))
            let again = try await HTTP.send("POST", server.baseURL + url, headers: ["If-None-Match": etag], body: #"{"context": {"plan": "pro"}}"#)
            #expect(again.status == 304)
            let other = try await HTTP.send("POST", server.baseURL + url, headers: ["If-None-Match": etag], body: #"{"context": {"plan": "free"}}"#)
            #expect(other.status == 200)
            #expect(other.header("ETag") != etag)
        }
    }

    @Test func clientKeysAreRequiredWhenConfigured() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configure: { $0.clientKeys = ["web-key": "website"] }) {
            server async throws in
            #expect(try await HTTP.send("POST", server.baseURL + url + "/banner").status == 401)
            #expect(try await HTTP.send("POST", server.baseURL + url + "/banner", headers: ["Authorization": "Bearer wrong"]).status == 403)
            #expect(try await HTTP.send("POST", server.baseURL + url + "/banner", headers: ["X-API-Key": "web-key"]).status == 200)
            #expect(try await HTTP.send("POST", server.baseURL + url + "/banner", headers: ["Authorization": "Bearer web-key"]).status == 200)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags], configure: { $0.rateLimit = 2 }) { server async throws in
            // A burst of two goes through; a busy test machine may refill a token now and then,
            // so the burst runs until it is refused.
            var replies: [HTTP.Reply] = []
            for _ in 0..<50 {
                replies.append(try await HTTP.send("POST", server.baseURL + url + "/banner"))
                if replies.last?.status == 429 { break }
            }
            #expect(replies.prefix(2).allSatisfy { $0.status == 200 })
            let limited = try #require(replies.last)
            #expect(limited.status == 429)
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test func metricsAndHealth() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            _ = try await HTTP.send("POST", server.baseURL + url + "/headline")
            #expect(try await HTTP.send("GET", server.baseURL + "/healthz").status == 200)
            #expect(try await HTTP.send("GET", server.baseURL + "/readyz").status == 200)
            let metrics = try await HTTP.send("GET", server.baseURL + "/metrics").body
            #expect(metrics.contains(#"almanac_flag_evaluations_total{flag="headline",variant="red",reason="STATIC"} 1"#))
            #expect(metrics.contains(#"almanac_http_request_duration_seconds_bucket{route="ofrep_single""#))
        }
    }
}

/// Random bytes as OFREP bodies over HTTP: every one gets an answer and the server keeps serving.
@Suite struct OFREPFuzzTests {
    @Test func randomBodiesNeverBreakTheServer() async throws {
        try await TestServer.run(flagFiles: ["app.yaml": Fixture.flags]) { server async throws in
            var generator = SystemRandomNumberGenerator()
            let alphabet = Array(#"{}[]":,0123456789.eE+-truefalsnul \u"#.utf8) + Array("context targetingKey".utf8)
            for _ in 0..<300 {
                let bytes = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in
                    Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
                }
                let reply = try await HTTP.send(
                    "POST", server.baseURL + "/ofrep/v1/evaluate/flags/banner", body: String(decoding: bytes, as: UTF8.self))
                #expect([200, 400].contains(reply.status))
            }
            #expect(try await HTTP.send("POST", server.baseURL + "/ofrep/v1/evaluate/flags/banner", body: "{}").status == 200)
        }
    }
}
