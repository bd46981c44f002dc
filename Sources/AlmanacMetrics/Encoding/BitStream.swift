/// Bits packed most-significant first, for the chunk encoding.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    /// Free bits left in the last byte.
    private var free: Int = 0

    mutating func write(bit: Bool) {
        if free == 0 {
            bytes.append(0)
            free = 8
        }
        free -= 1
        if bit { bytes[bytes.count - 1] |= 1 << UInt8(free) }
    }

    /// Writes the low `count` bits of `value`, highest first.
    mutating func write(_ value: UInt64, bits count: Int) {
        var remaining = count
        while remaining > 0 {
            if free == 0 {
                bytes.append(0)
                free = 8
            }
            let take = min(free, remaining)
            let shift = remaining - take
            let chunk = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & ((1 << UInt64(take)) - 1))
            bytes[bytes.count - 1] |= chunk << UInt8(free - take)
            free -= take
            remaining -= take
        }
    }
}

struct BitReader {
    let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    struct EndOfData: Error {}

    mutating func readBit() throws(EndOfData) -> Bool {
        guard position < bytes.count * 8 else { throw EndOfData() }
        let bit = bytes[position >> 3] & (0x80 >> UInt8(position & 7)) != 0
        position += 1
        return bit
    }

    mutating func read(bits count: Int) throws(EndOfData) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<count { value = value << 1 | (try readBit() ? 1 : 0) }
        return value
    }
}
