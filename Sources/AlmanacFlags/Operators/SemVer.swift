import AlmanacConfig

/// flagd's `sem_ver`: compares two versions with `= != < <= > >=`, `^` (same major) or `~`
/// (same major and minor). A leading `v` is dropped and partial versions are padded (`1.2` is
/// `1.2.0`); anything else that is not Semantic Versioning 2.0 makes the result null.
extension Interpreter {
    static func semVer(_ args: [JSONValue]) -> JSONValue {
        guard args.count == 3, case .string(let op) = args[1],
            let left = SemanticVersion(Coercion.string(args[0])),
            let right = SemanticVersion(Coercion.string(args[2]))
        else { return .null }
        switch op {
        case "=": return .bool(left == right)
        case "!=": return .bool(left != right)
        case "<": return .bool(left < right)
        case "<=": return .bool(!(right < left))
        case ">": return .bool(right < left)
        case ">=": return .bool(!(left < right))
        case "^": return .bool(left.major == right.major)
        case "~": return .bool(left.major == right.major && left.minor == right.minor)
        default: return .null
        }
    }
}

/// A parsed Semantic Versioning 2.0 version; build metadata is kept out of comparison.
struct SemanticVersion: Comparable {
    var major: UInt64
    var minor: UInt64
    var patch: UInt64
    var prerelease: [Substring]

    init?(_ text: String) {
        var version = Substring(text)
        if version.hasPrefix("v") || version.hasPrefix("V") { version = version.dropFirst() }
        if let plus = version.firstIndex(of: "+") {
            let build = version[version.index(after: plus)...]
            guard build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(Self.isIdentifier) else { return nil }
            version = version[..<plus]
        }
        var prerelease: [Substring] = []
        if let dash = version.firstIndex(of: "-") {
            prerelease = version[version.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            guard prerelease.allSatisfy({ Self.isIdentifier($0) && !Self.hasLeadingZero($0) }) else { return nil }
            version = version[..<dash]
        }
        var parts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        while parts.count < 3 { parts.append("0") }
        var numbers: [UInt64] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCIIDigit), !(part.count > 1 && part.first == "0"),
                let n = UInt64(part)
            else { return nil }
            numbers.append(n)
        }
        (major, minor, patch) = (numbers[0], numbers[1], numbers[2])
        self.prerelease = prerelease
    }

    private static func isIdentifier(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private static func hasLeadingZero(_ s: Substring) -> Bool {
        s.count > 1 && s.first == "0" && s.allSatisfy(\.isASCIIDigit)
    }

    static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        if a.prerelease.isEmpty || b.prerelease.isEmpty { return !a.prerelease.isEmpty && b.prerelease.isEmpty }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            switch (UInt64(x), UInt64(y)) {
            case (let i?, let j?): return i < j
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return x < y
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    static func == (a: SemanticVersion, b: SemanticVersion) -> Bool {
        (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch) && a.prerelease == b.prerelease
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
