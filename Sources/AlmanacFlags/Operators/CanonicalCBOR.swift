import AlmanacConfig

/// A JSON value in canonical CBOR, the bytes flagd's `fractional` hashes (flagd's fractional
/// specification, version 3): shortest integer and length heads, whole floats written as
/// integers, other floats in the shortest width that keeps them, map keys ordered by encoded
/// length then bytes (RFC 7049 §3.9). Written by hand: no listed package encodes CBOR, and
/// bucketing needs only these few rules.
enum CanonicalCBOR {
    static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        append(value, to: &out)
        return out
    }

    private static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(0xF6)
        case .bool(let b): out.append(b ? 0xF5 : 0xF4)
        case .int(let i): integer(i, to: &out)
        case .double(let d): double(d, to: &out)
        case .string(let s):
            head(3, UInt64(s.utf8.count), to: &out)
            out += s.utf8
        case .array(let items):
            head(4, UInt64(items.count), to: &out)
            for item in items { append(item, to: &out) }
        case .object(let members):
            head(5, UInt64(members.count), to: &out)
            let encoded = members.map { (key: encode(.string($0.key)), value: $0.value) }
            for member in encoded.sorted(by: { $0.key.count != $1.key.count ? $0.key.count < $1.key.count : $0.key.lexicographicallyPrecedes($1.key) }
            ) {
                out += member.key
                append(member.value, to: &out)
            }
        }
    }

    private static func integer(_ i: Int64, to out: inout [UInt8]) {
        if i >= 0 { head(0, UInt64(i), to: &out) } else { head(1, UInt64(-(i + 1)), to: &out) }
    }

    private static func double(_ d: Double, to out: inout [UInt8]) {
        // Whole numbers that fit 64 bits are integers, as flagd normalises them before hashing.
        if d.isFinite, d.rounded() == d, d >= -9_223_372_036_854_775_808, d < 18_446_744_073_709_551_616 {
            if d >= 0 { head(0, d < 9_223_372_036_854_775_808 ? UInt64(Int64(d)) : UInt64(d), to: &out) } else { integer(Int64(d), to: &out) }
            return
        }
        if d.isNaN {
            out += [0xF9, 0x7E, 0x00]
            return
        }
        if d.isInfinite {
            out += d > 0 ? [0xF9, 0x7C, 0x00] : [0xF9, 0xFC, 0x00]
            return
        }
        if let half = Float16(exactly: d) {
            out.append(0xF9)
            bigEndian(UInt64(half.bitPattern), bytes: 2, to: &out)
        } else if let single = Float(exactly: d) {
            out.append(0xFA)
            bigEndian(UInt64(single.bitPattern), bytes: 4, to: &out)
        } else {
            out.append(0xFB)
            bigEndian(d.bitPattern, bytes: 8, to: &out)
        }
    }

    private static func head(_ major: UInt8, _ n: UInt64, to out: inout [UInt8]) {
        let type = major << 5
        switch n {
        case ..<24: out.append(type | UInt8(n))
        case ..<0x100:
            out += [type | 24, UInt8(n)]
        case ..<0x1_0000:
            out.append(type | 25)
            bigEndian(n, bytes: 2, to: &out)
        case ..<0x1_0000_0000:
            out.append(type | 26)
            bigEndian(n, bytes: 4, to: &out)
        default:
            out.append(type | 27)
            bigEndian(n, bytes: 8, to: &out)
        }
    }

    private static func bigEndian(_ n: UInt64, bytes: Int, to out: inout [UInt8]) {
        for shift in stride(from: (bytes - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
    }
}
