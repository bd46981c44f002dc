/// The same-origin assets a page loads before it can be shown: stylesheets and icons from
/// `<link href>`, scripts and images from `<script src>` and `<img src>`. A browser fetches
/// these right after the page, so a load test that follows them sees what a visitor sees when
/// the front lacks an asset the page names. Written here because a load generator reads every
/// page at hundreds a second and needs only these attributes, not a document tree.
public enum PageAssets {
    /// Paths on the page's own host (`/assets/app.css`), in order of appearance, each once,
    /// at most `limit` of them. Other hosts, `//host/...`, `data:` and relative paths are skipped.
    public static func paths(in page: some Collection<UInt8>, limit: Int = 16) -> [String] {
        let bytes = Array(page)
        var found: [String] = []
        var index = 0
        while index < bytes.count, found.count < limit {
            guard bytes[index] == UInt8(ascii: "<"), let (name, end) = tagName(bytes, after: index) else {
                index += 1
                continue
            }
            let attribute: String? =
                switch name {
                case "link": "href"
                case "script", "img": "src"
                default: nil
                }
            // A tag cut off (a page read up to its limit) is not read: its value may be cut too.
            guard let close = bytes[end...].firstIndex(of: UInt8(ascii: ">")) else { break }
            let attributes = bytes[end..<close]
            if let attribute, name != "link" || loadsResource(value(of: "rel", in: attributes)),
                let value = value(of: attribute, in: attributes), isLocal(value), !found.contains(value)
            {
                found.append(value)
            }
            index = close
        }
        return found
    }

    static func tagName(_ bytes: [UInt8], after open: Int) -> (String, Int)? {
        var end = open + 1
        while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
        guard end > open + 1, end - open <= 8 else { return nil }
        return (String(decoding: bytes[(open + 1)..<end].map { $0 | 0x20 }, as: UTF8.self), end)
    }

    /// The value of `name="..."`, `name='...'` or `name=bare` among a tag's attributes.
    static func value(of name: String, in attributes: ArraySlice<UInt8>) -> String? {
        let key = Array(name.utf8)
        var i = attributes.startIndex
        while i < attributes.endIndex {
            guard isNameByte(attributes[i]) else {
                i += 1
                continue
            }
            let start = i
            while i < attributes.endIndex, isNameByte(attributes[i]) || attributes[i] == UInt8(ascii: "-") { i += 1 }
            let matches = attributes[start..<i].map { $0 | 0x20 } == key
            while i < attributes.endIndex, isSpace(attributes[i]) { i += 1 }
            guard i < attributes.endIndex, attributes[i] == UInt8(ascii: "=") else { continue }
            i += 1
            while i < attributes.endIndex, isSpace(attributes[i]) { i += 1 }
            guard i < attributes.endIndex else { return nil }
            let quote = attributes[i]
            let quoted = quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'")
            if quoted { i += 1 }
            let valueStart = i
            while i < attributes.endIndex, quoted ? attributes[i] != quote : !isSpace(attributes[i]) {
                i += 1
            }
            if matches { return quoted && i == attributes.endIndex ? nil : String(decoding: attributes[valueStart..<i], as: UTF8.self) }
            i += 1
        }
        return nil
    }

    /// A `<link>` the browser fetches: not `canonical`, `alternate` or `next`, which are only addresses.
    static func loadsResource(_ rel: String?) -> Bool {
        guard let rel = rel?.lowercased() else { return false }
        return rel.split(separator: " ").contains { ["stylesheet", "icon", "preload", "modulepreload", "manifest"].contains($0) }
    }

    static func isLocal(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" }) && path.utf8.count <= 2048
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || (byte >= 0x30 && byte <= 0x39)
    }
}
