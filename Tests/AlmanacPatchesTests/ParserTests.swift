import Testing

@testable import AlmanacPatches

@Suite struct ParserTests {
    @Test func statementsWithTheirLines() throws {
        let sql = "-- a comment\nCREATE TABLE t (a int);\n\n  CREATE INDEX CONCURRENTLY i ON t (a);\nALTER TABLE t ALTER COLUMN a TYPE bigint;\n"
        let statements = try SQLParser.parse(sql)
        #expect(statements.map(\.line) == [2, 4, 5])
        #expect(statements[1].text == "CREATE INDEX CONCURRENTLY i ON t (a)")
        #expect(statements.map { Classifier.classify($0).verdict } == [.hot, .hot, .cold])
    }

    @Test func aMistakeIsReportedAtItsLine() {
        #expect(throws: SQLParser.Failure(line: 3, message: "syntax error at or near \"TABLEE\"")) {
            try SQLParser.parse("CREATE TABLE t (a int);\n\nALTER TABLEE t ADD COLUMN b int;\n")
        }
    }
}
