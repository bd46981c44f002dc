import AlmanacMetrics
import Testing

/// The head's log records: what goes in comes out bit for bit, and a cut or damaged tail is
/// found by its length or checksum, never read as samples.
@Suite struct LogRecordTests {
    static let entries: [LogRecord.Entry] = (0..<50).map { (i: Int) -> LogRecord.Entry in
        let timestamp: Int64 = 1_790_000_000_000 - Int64(i % 3) * 17
        let value: Double = i == 3 ? .nan : Double(i) * 1.5
        return LogRecord.Entry(seriesID: Int64(i * 7919), sample: Sample(timestamp: timestamp, value: value))
    }

    func log(records: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for r in 0..<records { LogRecord.encode(Array(Self.entries.dropFirst(r)), into: &bytes) }
        return bytes
    }

    @Test func recordsRoundTrip() {
        let reading = LogRecord.decode(log(records: 3))
        #expect(reading.damagedAt == nil)
        #expect(reading.records.count == 3)
        let first = reading.records[0]
        #expect(first.count == 50)
        let same = zip(first, Self.entries).allSatisfy { (a: LogRecord.Entry, b: LogRecord.Entry) -> Bool in
            a.seriesID == b.seriesID && a.sample.timestamp == b.sample.timestamp && a.sample.value.bitPattern == b.sample.value.bitPattern
        }
        #expect(same)
        #expect(reading.records[2].first?.seriesID == Int64(2 * 7919))
    }

    @Test(arguments: [1, 5, 9, 100])
    func aCutTailIsFoundAndTheRecordsBeforeItKept(cut: Int) {
        let whole = log(records: 3)
        let firstTwo = log(records: 2).count
        let reading = LogRecord.decode(Array(whole.dropLast(cut)))
        #expect(reading.records.count == 2)
        #expect(reading.damagedAt == firstTwo)
    }

    @Test func aFlippedBitFailsTheChecksum() {
        var bytes = log(records: 2)
        bytes[bytes.count - 20] ^= 0x10
        let reading = LogRecord.decode(bytes)
        #expect(reading.records.count == 1)
        #expect(reading.damagedAt != nil)
    }

    @Test func checksumIsCastagnolis() {
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}
