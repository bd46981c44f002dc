/// Where each HTTP/1.1 response ends in a byte stream, and its status: all a load generator
/// needs. Written here because NIO's decoder builds a head, a header table and three parts per
/// response, which cost more than the load generator's whole budget for a request.
public struct ResponseFraming: Sendable {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    enum State: Sendable {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
    }

    /// A response as the caller sees it: `body` holds up to `bodyLimit` bytes, empty when 0.
    public struct Response: Sendable {
        public var status: Int
        public var keepAlive: Bool
        public var body: [UInt8]
    }

    var state = State.head
    var pending: [UInt8] = []
    /// Bytes of the body to keep (for a page whose assets are fetched next); 0 keeps none.
    var bodyLimit = 0
    var body: [UInt8] = []
    var status = 0
    var keepAlive = true
    /// The response being read answers a HEAD request: it has no body whatever it says.
    var headRequest = false

    static let headLimit = 64 * 1024

    public init() {}

    /// Reads `bytes`, calling `complete` for each response that ends in them;
    /// `headRequest` says the response answers a HEAD request (no body whatever it says), and
    /// `bodyLimit` how many bytes of its body to keep. Both are arguments, not properties the
    /// caller sets, because `complete` sends the next request while this is still reading.
    public mutating func consume(
        _ bytes: UnsafeRawBufferPointer, headRequest: Bool, bodyLimit: Int = 0, complete: (Response) -> Void
    ) throws(Problem) {
        self.headRequest = headRequest
        self.bodyLimit = bodyLimit
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .head, .chunkSize, .trailers:
                let wholeHead: Bool
                if case .head = state { wholeHead = true } else { wholeHead = false }
                if pending.isEmpty, let end = Self.lineEnd(bytes, from: index, wholeHead: wholeHead) {
                    // The usual case: the whole head (or line) is in this read; no copy.
                    let line = UnsafeRawBufferPointer(rebasing: bytes[index..<end])
                    index = end
                    try finishLine(line, complete: complete)
                    continue
                }
                let kept = pending.count
                pending.append(contentsOf: bytes[index..<count])
                let found = pending.withUnsafeBytes { Self.lineEnd($0, from: max(0, kept - 3), wholeHead: wholeHead) }
                guard let end = found else {
                    if pending.count > Self.headLimit { throw Problem(description: "response head over \(Self.headLimit) bytes") }
                    return
                }
                index += end - kept
                let line = Array(pending[..<end])
                pending.removeAll(keepingCapacity: true)
                var problem: Problem?
                line.withUnsafeBytes { buffer in
                    do throws(Problem) { try finishLine(buffer, complete: complete) } catch { problem = error }
                }
                if let problem { throw problem }
            case .body(let remaining):
                let take = min(remaining, count - index)
                keep(bytes, index..<(index + take))
                index += take
                if take == remaining { done(complete) } else { state = .body(remaining: remaining - take) }
            case .chunkData(let remaining):
                let take = min(remaining, count - index)
                keep(bytes, index..<(index + take))
                index += take
                state = take == remaining ? .chunkEnd : .chunkData(remaining: remaining - take)
            case .chunkEnd:
                // The CRLF after a chunk's data, possibly split across reads.
                if bytes[index] == 0x0A { state = .chunkSize }
                index += 1
            case .untilClose:
                keep(bytes, index..<count)
                return
            }
        }
    }

    mutating func keep(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        guard body.count < bodyLimit else { return }
        body.append(contentsOf: bytes[range.lowerBound..<min(range.upperBound, range.lowerBound + bodyLimit - body.count)])
    }

    /// The connection closed: a response read until the close ends here.
    public mutating func closed(complete: (Response) -> Void) -> Bool {
        if case .untilClose = state {
            keepAlive = false
            done(complete)
            return true
        }
        return false
    }

    /// The index just past the end of the line (or, for a head, past its blank line).
    static func lineEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, wholeHead: Bool) -> Int? {
        var i = start
        while i < bytes.count {
            if bytes[i] == 0x0A {
                if !wholeHead { return i + 1 }
                if i >= 1, bytes[i - 1] == 0x0A { return i + 1 }
                if i >= 2, bytes[i - 1] == 0x0D, bytes[i - 2] == 0x0A { return i + 1 }
            }
            i += 1
        }
        return nil
    }

    mutating func finishLine(_ line: UnsafeRawBufferPointer, complete: (Response) -> Void) throws(Problem) {
        switch state {
        case .head: try head(line, complete: complete)
        case .chunkSize:
            var size = 0
            var digits = 0
            for byte in line {
                guard let value = Self.hex(byte) else { break }
                size = size &* 16 &+ value
                digits += 1
            }
            guard digits > 0, digits <= 15 else { throw Problem(description: "bad chunk size") }
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        case .trailers:
            if line.count <= 2, line.last == 0x0A { done(complete) }
        default: break
        }
    }

    mutating func head(_ bytes: UnsafeRawBufferPointer, complete: (Response) -> Void) throws(Problem) {
        // "HTTP/1.1 200 OK"
        guard bytes.count >= 12, bytes.starts(with: "HTTP/1.".utf8) else {
            throw Problem(description: "not an HTTP/1 response")
        }
        let http10 = bytes[7] == UInt8(ascii: "0")
        guard let d1 = Self.digit(bytes[9]), let d2 = Self.digit(bytes[10]), let d3 = Self.digit(bytes[11]) else {
            throw Problem(description: "response without a status code")
        }
        status = d1 * 100 + d2 * 10 + d3
        keepAlive = !http10
        body.removeAll(keepingCapacity: true)
        var length: Int?
        var chunked = false
        var lineStart = 0
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                let line = bytes[lineStart..<i]
                if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                    let name = line[lineStart..<colon]
                    var value = line[(colon + 1)...]
                    while value.first == 0x20 || value.first == 0x09 { value = value.dropFirst() }
                    while value.last == 0x0D || value.last == 0x20 { value = value.dropLast() }
                    if Self.equal(name, "content-length") {
                        guard let parsed = Int(String(decoding: value, as: UTF8.self)), parsed >= 0 else {
                            throw Problem(description: "bad Content-Length")
                        }
                        length = parsed
                    } else if Self.equal(name, "transfer-encoding") {
                        chunked = Self.contains(value, "chunked")
                    } else if Self.equal(name, "connection") {
                        if Self.contains(value, "close") { keepAlive = false }
                        if Self.contains(value, "keep-alive") { keepAlive = true }
                    }
                }
                lineStart = i + 1
            }
            i += 1
        }
        if status >= 100 && status < 200 { return }  // 100 Continue and friends: the real head follows.
        if headRequest || status == 204 || status == 304 {
            done(complete)
        } else if chunked {
            state = .chunkSize
        } else if let length {
            if length == 0 { done(complete) } else { state = .body(remaining: length) }
        } else {
            state = .untilClose
            keepAlive = false
        }
    }

    mutating func done(_ complete: (Response) -> Void) {
        state = .head
        complete(Response(status: status, keepAlive: keepAlive, body: body))
    }

    static func digit(_ byte: UInt8) -> Int? { byte >= 0x30 && byte <= 0x39 ? Int(byte - 0x30) : nil }

    static func hex(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }

    /// ASCII case-insensitive comparison with a lowercase name, byte by byte (no strings:
    /// this runs for every header of every response).
    static func equal(_ bytes: Slice<UnsafeRawBufferPointer>, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        let name = UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)
        var j = 0
        for byte in bytes {
            let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if folded != name[j] { return false }
            j += 1
        }
        return true
    }

    static func contains(_ bytes: Slice<UnsafeRawBufferPointer>, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard bytes.count >= n else { return false }
        var start = bytes.startIndex
        while start + n <= bytes.endIndex {
            if equal(bytes[start..<(start + n)], lower) { return true }
            start += 1
        }
        return false
    }
}
