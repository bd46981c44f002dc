import AlmanacConfig
import Testing

@testable import AlmanacCapacity

@Suite struct LoadTestFileTests {
    static func parse(_ yaml: String) throws -> LoadTest {
        try LoadTestFile.parse(try ConfigDocument.parse(yaml, file: "capacity/loadtests/search.yaml"), name: "search")
    }

    static func problem(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "parsed"
        } catch {
            return "\(error)"
        }
    }

    @Test func fullTestParses() throws {
        let test = try Self.parse(
            """
            service: search
            target: http://127.0.0.1:8080/
            data: terms.csv
            requests:
              - {url: "/search?q={{term}}", weight: 3, headers: {Accept: application/json}}
              - {method: post, url: /scan, body: {code: "{{code}}"}}
            open:
              stages:
                - {rate: 100, duration: 10s}
                - {to: 500, duration: 1m}
              connections: 64
            thresholds: ["p95 < 200ms", "error_rate < 1%", "rps > 500", "service_p99.9 <= 1.5s"]
            """)
        #expect(test.target == "http://127.0.0.1:8080")
        #expect(test.requests.map(\.weight) == [3, 1])
        #expect(test.requests[1].method == "POST")
        #expect(test.requests[1].body == #"{"code":"{{code}}"}"#)
        #expect(test.model == .open(stages: [.init(from: 100, to: 100, seconds: 10), .init(from: 100, to: 500, seconds: 60)], connections: 64))
        #expect(test.thresholds.map(\.metric) == [.responsePercentile(95), .errorRate, .rate, .servicePercentile(99.9)])
        #expect(test.thresholds.map(\.limit) == [200_000, 0.01, 500, 1_500_000])
        #expect(test.saturation.start == 500)
    }

    @Test func mistakesNameTheLine() {
        let base = "service: search\ntarget: http://localhost:1\nrequests: [/]\n"
        #expect(
            Self.problem(base + "open: {rate: 10, duration: 5s}\nthresholds:\n  - 'p95 < fast'\n")
                == "capacity/loadtests/search.yaml:6: thresholds[0]: 'fast' in 'p95 < fast' is not a duration such as 200ms or 1.5s")
        #expect(
            Self.problem(base + "open: {rate: 10, duration: 5s}\nthresholds: ['latency < 2ms']\n").contains(
                ":5: thresholds[0]: unknown metric 'latency'"))
        #expect(Self.problem(base + "open: {rate: 10, duration: 5s}\nthresholds: ['p99 200ms']\n").contains("has no comparison"))
        #expect(Self.problem(base) == "capacity/loadtests/search.yaml:1: missing 'open' (an arrival rate) or 'closed' (a number of connections)")
        #expect(Self.problem(base + "closed: {connections: 0, duration: 5s}\n").contains(":4: closed: needs 'connections' between 1 and 100000"))
        #expect(Self.problem(base + "open: {rate: 10, duration: soon}\n").contains(":4: open.duration: must be a duration"))
        #expect(
            Self.problem("service: s\ntarget: ftp://x\nrequests: [/]\nclosed: {connections: 1, duration: 1s}\n").contains(
                ":2: target: must start with http"))
    }

    @Test func thresholdsCompare() throws {
        let p95 = try Threshold.parse("p95 <= 200ms").get()
        #expect(p95.holds(200_000) && !p95.holds(200_001))
        let rate = try Threshold.parse("rps>500").get()
        #expect(rate.holds(501) && !rate.holds(500))
        #expect(try Threshold.parse("error_rate < 0.5%").get().limit == 0.005)
    }
}

@Suite struct RequestPlanTests {
    static func test(_ requests: [LoadTest.Request]) -> LoadTest {
        LoadTest(
            name: "t", file: "capacity/loadtests/t.yaml", service: "s", target: "http://h:1", requests: requests, data: "rows.csv",
            model: .closed(connections: 1, seconds: 1), timeoutSeconds: 1, threads: 1, thresholds: [],
            saturation: .init(start: 1, factor: 2, stepSeconds: 1, maximum: 10), usage: nil)
    }

    static func request(_ url: String, weight: Int = 1, line: Int = 3) -> LoadTest.Request {
        .init(name: url, method: "GET", url: url, headers: [("X-Term", "{{term}}")], body: nil, weight: weight, assets: false, line: line)
    }

    @Test func weightsSpreadAndRowsRotate() throws {
        let table = try CSVTable.parse("term,code\nsoup,1\n\"bread, white\",2\nmilk,3\n", file: "rows.csv")
        let plan = try RequestPlan(test: Self.test([Self.request("/a?q={{term}}", weight: 3), Self.request("/b/{{code}}")]), data: table)
        #expect((0..<8).map { plan.request($0).template } == [0, 0, 1, 0, 0, 0, 1, 0])
        #expect(plan.request(1).path == "/a?q=bread, white")
        #expect(plan.request(2).path == "/b/3")
        #expect(plan.request(3).headers == ["X-Term: soup"])
    }

    @Test func csvProblemsNameFileAndLine() {
        #expect(throws: CSVTable.Problem.self) { try CSVTable.parse("", file: "rows.csv") }
        do {
            _ = try CSVTable.parse("term,code\nsoup,1\nbread\n", file: "rows.csv")
            Issue.record("a short row parsed")
        } catch { #expect(error.description == "rows.csv:3: 1 fields, missing column 'code'") }
        do {
            let table = try CSVTable.parse("code\n1\n", file: "rows.csv")
            _ = try RequestPlan(test: Self.test([Self.request("/a?q={{term}}", line: 7)]), data: table)
            Issue.record("a template with an unknown column was accepted")
        } catch { #expect(error.description == "capacity/loadtests/t.yaml:7: the data file rows.csv has no column 'term' (it has code)") }
    }
}

@Suite struct ArrivalScheduleTests {
    @Test func constantRateSpacesEvenly() {
        let schedule = ArrivalSchedule([.init(from: 500, to: 500, seconds: 30)])
        #expect(schedule.total == 15_000)
        #expect(schedule.offset(0) == 0)
        #expect(schedule.offset(500) == 1)
        #expect(schedule.offset(15_000) == nil)
    }

    /// A ramp from 0 to 100/s over 10 s: N(t) = 5 t², so arrival n comes at √(n/5).
    @Test func rampBunchesAsItClimbs() throws {
        let schedule = ArrivalSchedule([.init(from: 0, to: 100, seconds: 10), .init(from: 100, to: 100, seconds: 5)])
        #expect(schedule.total == 1000)
        #expect(abs(try #require(schedule.offset(20)) - 2) < 1e-9)
        #expect(abs(try #require(schedule.offset(500)) - 10) < 1e-9)
        #expect(abs(try #require(schedule.offset(600)) - 11) < 1e-9)
    }
}

@Suite struct ResponseFramingTests {
    static func responses(_ chunks: [String], head: Bool = false) throws -> [Int] {
        var framing = ResponseFraming()
        var statuses: [Int] = []
        for chunk in chunks {
            try Array(chunk.utf8).withUnsafeBytes { bytes in
                try framing.consume(bytes, headRequest: head) { statuses.append($0.status) }
            }
        }
        return statuses
    }

    @Test func framesLengthChunkedAndSplitHeads() throws {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        #expect(try Self.responses([ok + ok]) == [200, 200])
        #expect(try Self.responses(["HTTP/1.1 404 Not Fo", "und\r\nContent-Le", "ngth: 3\r\n\r", "\nab", "c"]) == [404])
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        #expect(try Self.responses([chunked, "HTTP/1.1 204 No Content\r\n\r\n"]) == [200, 204])
        #expect(try Self.responses(Array(chunked).map { String($0) }) == [200])
        #expect(try Self.responses(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n"]) == [201])
        #expect(try Self.responses(["HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"], head: true) == [200])
        #expect(throws: ResponseFraming.Problem.self) { try Self.responses(["SSH-2.0-OpenSSH\r\n\r\n"]) }
    }
}

@Suite struct PageAssetsTests {
    @Test func findsWhatABrowserLoadsFromTheSameHost() {
        let page = """
            <html><head><LINK REL="stylesheet" HREF="/a.css"><link rel="canonical" href="/c"><link rel='icon preload' href='/i.png'>
            <script src="//cdn/x.js"></script><script src=/b.js defer></script><script>var s = "<img src='/in-script.png'>"</script>
            </head><body><a href="/next">n</a><img
              alt="x" src="/a.css"><img src="relative.png"><img data-src="/lazy.png"><img src="data:image/png;base64,AA"></body>
            """
        // A script's own text is not parsed apart from the page: the rare false find costs one request.
        #expect(PageAssets.paths(in: Array(page.utf8)) == ["/a.css", "/i.png", "/b.js", "/in-script.png"])
        #expect(PageAssets.paths(in: Array(page.utf8), limit: 2) == ["/a.css", "/i.png"])
        #expect(PageAssets.paths(in: Array("<img src=\"/x.png".utf8)) == [])
    }

    @Test func keepsTheBodyOnlyWhenAsked() throws {
        var framing = ResponseFraming()
        var bodies: [String] = []
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        let sized = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"
        for (text, limit) in [(chunked, 100), (sized, 3), (sized, 0)] {
            for piece in [String(text.prefix(40)), String(text.dropFirst(40))] {
                try Array(piece.utf8).withUnsafeBytes { bytes in
                    try framing.consume(bytes, headRequest: false, bodyLimit: limit) { bodies.append(String(decoding: $0.body, as: UTF8.self)) }
                }
            }
        }
        #expect(bodies == ["hello world", "abc", ""])
    }
}
