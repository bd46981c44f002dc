/// Reads one sample line: name, labels, value, timestamp and (OpenMetrics) an exemplar.
struct LineScanner {
    let bytes: ArraySlice<UInt8>
    let line: Int
    let format: ExpositionFormat
    var index: Int

    init(bytes: ArraySlice<UInt8>, line: Int, format: ExpositionFormat) {
        self.bytes = bytes
        self.line = line
        self.format = format
        index = bytes.startIndex
    }

    static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x3A
    }

    static func isNameByte(_ b: UInt8) -> Bool { isNameStart(b) || (b >= 0x30 && b <= 0x39) }

    static func isValidName(_ b: [UInt8]) -> Bool {
        guard let first = b.first, isNameStart(first) else { return false }
        return b.allSatisfy(isNameByte)
    }

    func failure(_ message: String) -> ExpositionError { ExpositionError(line: line, message: message) }

    var atEnd: Bool { index >= bytes.endIndex }
    var current: UInt8 { bytes[index] }

    mutating func sample() throws(ExpositionError) -> ScrapedSample {
        var name: String?
        var labels: [Label] = []
        if current == UInt8(ascii: "{") {
            // Quoted UTF-8 name inside the braces: {"my.metric", a="b"}
            labels = try labelSet(name: &name)
        } else {
            name = try bareName(what: "metric name")
            if !atEnd, current == UInt8(ascii: "{") {
                var inner: String?
                labels = try labelSet(name: &inner)
                if inner != nil { throw failure("metric name given twice") }
            }
        }
        guard let name else { throw failure("missing metric name") }
        try requireSpace()
        let value = try number()
        var timestamp: Int64?
        skipSpaces()
        if !atEnd, current != UInt8(ascii: "#") {
            timestamp = try timestampValue()
            skipSpaces()
        }
        if !atEnd {
            guard format == .openMetrics, current == UInt8(ascii: "#") else { throw failure("unexpected text after the value") }
            try exemplar()
        }
        return ScrapedSample(name: name, labels: labels, value: value, timestamp: timestamp)
    }

    mutating func bareName(what: String) throws(ExpositionError) -> String {
        let start = index
        guard !atEnd, Self.isNameStart(current) else { throw failure("invalid \(what)") }
        while !atEnd, Self.isNameByte(current) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func labelSet(name: inout String?) throws(ExpositionError) -> [Label] {
        index += 1
        var labels: [Label] = []
        var seen: Set<String> = []
        while true {
            skipSpaces()
            guard !atEnd else { throw failure("unterminated label set") }
            if current == UInt8(ascii: "}") {
                index += 1
                break
            }
            let labelName: String
            if current == UInt8(ascii: "\"") {
                let quoted = try quotedString()
                skipSpaces()
                if !atEnd, current == UInt8(ascii: ",") || current == UInt8(ascii: "}") {
                    guard name == nil, labels.isEmpty else { throw failure("a quoted metric name must come first") }
                    name = quoted
                    if current == UInt8(ascii: ",") { index += 1 }
                    continue
                }
                labelName = quoted
            } else {
                labelName = try bareName(what: "label name")
            }
            skipSpaces()
            guard !atEnd, current == UInt8(ascii: "=") else { throw failure("expected '=' after label '\(labelName)'") }
            index += 1
            skipSpaces()
            guard !atEnd, current == UInt8(ascii: "\"") else { throw failure("label value must be quoted") }
            let value = try quotedString()
            guard seen.insert(labelName).inserted else { throw failure("duplicate label '\(labelName)'") }
            if labelName == "__name__" {
                name = value
            } else {
                labels.append(Label(labelName, value))
            }
            skipSpaces()
            guard !atEnd else { throw failure("unterminated label set") }
            if current == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if current == UInt8(ascii: "}") {
                index += 1
                break
            }
            throw failure("expected ',' or '}' in label set")
        }
        return labels
    }

    mutating func quotedString() throws(ExpositionError) -> String {
        index += 1
        var out: [UInt8] = []
        while !atEnd {
            let b = current
            index += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard !atEnd else { throw failure("unterminated escape") }
                let e = current
                index += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "\""): out.append(0x22)
                default:
                    if format == .openMetrics { throw failure("invalid escape '\\\(Character(Unicode.Scalar(e)))'") }
                    out.append(0x5C)
                    out.append(e)
                }
            default:
                out.append(b)
            }
        }
        throw failure("unterminated quoted string")
    }

    mutating func requireSpace() throws(ExpositionError) {
        guard !atEnd, current == 0x20 || current == 0x09 else { throw failure("expected a space before the value") }
        skipSpaces()
    }

    mutating func skipSpaces() {
        while !atEnd, current == 0x20 || (format == .prometheusText && current == 0x09) { index += 1 }
    }

    mutating func token() -> String {
        let start = index
        while !atEnd, current != 0x20, current != 0x09 { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func number() throws(ExpositionError) -> Double {
        let text = token()
        if let value = Self.parseFloat(text) { return value }
        throw failure(text.isEmpty ? "missing value" : "invalid value '\(text)'")
    }

    mutating func timestampValue() throws(ExpositionError) -> Int64 {
        let text = token()
        if format == .prometheusText {
            guard let ms = Int64(text) else { throw failure("invalid timestamp '\(text)' (milliseconds)") }
            return ms
        }
        guard let seconds = Self.parseFloat(text), seconds.isFinite, abs(seconds) < 9.2e15 else {
            throw failure("invalid timestamp '\(text)' (seconds)")
        }
        return Int64((seconds * 1000).rounded())
    }

    /// ` # {labels} value [timestamp]`: checked and dropped.
    mutating func exemplar() throws(ExpositionError) {
        index += 1
        guard !atEnd, current == 0x20 else { throw failure("invalid exemplar") }
        skipSpaces()
        guard !atEnd, current == UInt8(ascii: "{") else { throw failure("exemplar needs a label set") }
        var ignored: String?
        _ = try labelSet(name: &ignored)
        try requireSpace()
        _ = try number()
        skipSpaces()
        if !atEnd { _ = try timestampValue() }
        skipSpaces()
        if !atEnd { throw failure("unexpected text after the exemplar") }
    }

    /// Go's ParseFloat as the formats use it: decimal and exponent forms, NaN, ±Inf.
    static func parseFloat(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": return .nan
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: break
        }
        guard !text.isEmpty, !text.lowercased().contains("x"), !text.lowercased().contains("n") else { return nil }
        return Double(text)
    }
}
