private let digits = Array("0123456789abcdef".utf8)

extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits a byte, as sha256sum prints a digest. Written out by hand:
    /// String(format:) per byte was a tenth of a storage audit's time on small files.
    public var hexadecimal: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
