import AlmanacConfig
import Testing

@testable import AlmanacFlags

@Suite struct SemVerTests {
    @Test(arguments: [
        ("1.2.3", "=", "1.2.3", true), ("v1.2.3", "=", "1.2.3", true), ("1.2", "=", "1.2.0", true),
        ("1.2.3-alpha", "<", "1.2.3", true), ("1.2.3-alpha.1", "<", "1.2.3-alpha.beta", true),
        ("1.2.3-alpha.2", "<", "1.2.3-alpha.10", true), ("1.2.3+build.5", "=", "1.2.3", true),
        ("2.0.0", ">", "1.99.99", true), ("1.5.0", "^", "1.0.0", true), ("1.5.0", "~", "1.4.0", false),
        ("1.4.9", "~", "1.4.0", true), ("1.2.3", "!=", "1.2.4", true), ("1.2.3", ">=", "1.2.3", true),
        ("1.2.3", "<=", "1.2.2", false),
    ])
    func compares(left: String, op: String, right: String, expected: Bool) {
        #expect(Interpreter.semVer([.string(left), .string(op), .string(right)]) == .bool(expected))
    }

    @Test(arguments: ["01.2.3", "1.2.3.4", "x", "1.2.3-", "1.2.3-01", ""])
    func rejects(version: String) {
        #expect(Interpreter.semVer([.string(version), "=", "1.2.3"]) == .null)
    }
}
