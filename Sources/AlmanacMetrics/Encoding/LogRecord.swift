/// One write-ahead log record: the samples of one append (a scrape), each under its series id.
/// Framed as length (4 bytes), CRC-32C of the payload (4 bytes), payload; the payload holds the
/// count, the newest timestamp, then per sample the series id and the timestamp's distance
/// from the newest as varints and the value's 8 bytes. A frame whose checksum fails, or that
/// ends early, marks where a crash cut the log.
public enum LogRecord {
    public struct Entry: Sendable, Equatable {
        public var seriesID: Int64
        public var sample: Sample

        public init(seriesID: Int64, sample: Sample) {
            self.seriesID = seriesID
            self.sample = sample
        }
    }

    /// Largest payload a reader accepts: a length beyond it is damage, not a record.
    public static let maximumPayload = 64 << 20

    /// The framed record, appended to `out`.
    public static func encode(_ entries: [Entry], into out: inout [UInt8]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(entries.count * 12 + 16)
        let newest = entries.map(\.sample.timestamp).max() ?? 0
        writeVarint(UInt64(entries.count), to: &payload)
        writeVarint(UInt64(bitPattern: newest), to: &payload)
        for entry in entries {
            writeVarint(UInt64(bitPattern: entry.seriesID), to: &payload)
            writeVarint(UInt64(bitPattern: newest &- entry.sample.timestamp), to: &payload)
            var bits = entry.sample.value.bitPattern
            for _ in 0..<8 {
                payload.append(UInt8(truncatingIfNeeded: bits))
                bits >>= 8
            }
        }
        appendUInt32(UInt32(payload.count), to: &out)
        appendUInt32(CRC32C.checksum(payload), to: &out)
        out += payload
    }

    /// What a log's bytes hold: the records in order, and where the first damaged frame starts.
    public struct Reading: Sendable {
        public var records: [[Entry]]
        /// Offset of the first frame that failed its checksum or ended early; nil when whole.
        public var damagedAt: Int?
    }

    public static func decode(_ bytes: [UInt8]) -> Reading {
        var records: [[Entry]] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 8 <= bytes.count else { return Reading(records: records, damagedAt: offset) }
            let length = Int(readUInt32(bytes, at: offset))
            let sum = readUInt32(bytes, at: offset + 4)
            let start = offset + 8
            guard length <= maximumPayload, start + length <= bytes.count else { return Reading(records: records, damagedAt: offset) }
            let payload = bytes[start..<start + length]
            guard CRC32C.checksum(payload) == sum, let entries = entries(payload) else { return Reading(records: records, damagedAt: offset) }
            records.append(entries)
            offset = start + length
        }
        return Reading(records: records, damagedAt: nil)
    }

    /// The entries of one payload; nil when it does not parse (damage the checksum missed).
    public static func entries(_ payload: ArraySlice<UInt8>) -> [Entry]? {
        var index = payload.startIndex
        guard let count = readVarint(payload, &index), let newest = readVarint(payload, &index), count <= UInt64(payload.count) else {
            return nil
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let id = readVarint(payload, &index), let back = readVarint(payload, &index), index + 8 <= payload.endIndex else { return nil }
            var bits: UInt64 = 0
            for byte in 0..<8 { bits |= UInt64(payload[index + byte]) << (8 * UInt64(byte)) }
            index += 8
            let timestamp = Int64(bitPattern: newest) &- Int64(bitPattern: back)
            entries.append(Entry(seriesID: Int64(bitPattern: id), sample: Sample(timestamp: timestamp, value: Double(bitPattern: bits))))
        }
        return index == payload.endIndex ? entries : nil
    }

    static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    static func readVarint(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    static func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
    }
}

/// CRC-32C (Castagnoli), the checksum Prometheus's WAL uses. Written here because none of the
/// packages this project depends on exposes one.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
