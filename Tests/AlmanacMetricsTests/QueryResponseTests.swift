import AlmanacConfig
import Testing

@testable import AlmanacMetrics

@Suite struct QueryResponseTests {
    @Test func matrixAndVectorAnswers() throws {
        let matrix = #"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"__name__":"up","job":"node","instance":"a:9100"},"values":[[1700000000,"1"],[1700000015.5,"0"]]},
              {"metric":{"job":"node"},"values":[[1700000000,"NaN"],[1700000001,"+Inf"],[1700000002,"-Inf"]]}]}}
            """#
        let series = try QueryResponse.parse(Array(matrix.utf8))
        #expect(series.count == 2)
        #expect(
            series[0]
                == QueriedSeries(
                    name: "up", labels: [Label("instance", "a:9100"), Label("job", "node")],
                    samples: [Sample(timestamp: 1_700_000_000_000, value: 1), Sample(timestamp: 1_700_000_015_500, value: 0)]))
        #expect(
            series[1].name == "" && series[1].samples[0].value.isNaN && series[1].samples[1].value == .infinity
                && series[1].samples[2].value == -.infinity)
        let vector = #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"x"},"value":[1700000000.25,"2.5"]}]}}"#
        #expect(try QueryResponse.parse(Array(vector.utf8))[0].samples == [Sample(timestamp: 1_700_000_000_250, value: 2.5)])
    }

    @Test func errorsSayWhat() {
        let cases: [(String, String)] = [
            (#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#, "Prometheus answered bad_data: parse error at char 3"),
            ("<html>", "not JSON"),
            (#"{"status":"success","data":{"resultType":"scalar","result":[{"metric":{},"value":[1,"1"]}]}}"#, "result type scalar is not a series"),
            (#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}"#, "value 'x' is not a number"),
            (#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[["1","2"]]}]}}"#, "a point's time is not a number"),
            (
                #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1e300,"2"]]}]}}"#,
                "a point's time is out of range"
            ),
        ]
        for (text, message) in cases {
            #expect(throws: QueryError.self) { try QueryResponse.parse(Array(text.utf8)) }
            do { _ = try QueryResponse.parse(Array(text.utf8)) } catch { #expect(error.message.hasPrefix(message), "\(text)") }
        }
    }

    @Test func rawSamplesForShortWindowsHourlyMeansForLongOnes() throws {
        let source = try #require(try PrometheusSource.parse(try ConfigDocument.parse("prometheus:\n  url: http://p:9090/\n", file: "s.yaml")))
        #expect(source == PrometheusSource(url: "http://p:9090", timeout: 30_000))
        let short = source.query(selector: #"up{job="node"}"#, from: 1_700_000_000_000, to: 1_700_000_300_000)
        #expect(short.path == "/api/v1/query")
        #expect(short.parameters.map(\.1) == [#"up{job="node"}[300s]"#, "1700000300.0"])
        let long = source.query(selector: "disk", from: 1_700_000_000_000, to: 1_700_000_000_000 + 30 * 86_400_000)
        #expect(long.path == "/api/v1/query_range")
        #expect(long.parameters.first?.1 == "avg_over_time(disk[1h])")
        #expect(throws: ConfigError.self) { try PrometheusSource.parse(try ConfigDocument.parse("prometheus:\n  url: p:9090\n", file: "s.yaml")) }
        #expect(throws: ConfigError.self) {
            try PrometheusSource.parse(try ConfigDocument.parse("prometheus: {url: 'http://p', step: 1m}\n", file: "s.yaml"))
        }
    }
}
