/// Up to 120 samples of one series in the Gorilla encoding Prometheus uses: timestamps as
/// delta-of-delta in 14, 17 or 20 bits (or 64), values XOR-ed with the previous one and stored
/// as their meaningful bits. A regular scrape of a slowly changing value costs about 1.5 bytes.
public struct XORChunk: Sendable, Hashable {
    public static let maximumSamples = 120

    public private(set) var count = 0
    private var writer = BitWriter()
    private var lastTimestamp: Int64 = 0
    private var lastDelta: Int64 = 0
    private var lastValue: UInt64 = 0
    private var leading: Int = 0xFF
    private var trailing: Int = 0

    public init() {}

    /// The encoded bytes.
    public var bytes: [UInt8] { writer.bytes }

    public var isFull: Bool { count >= Self.maximumSamples }

    public static func == (a: XORChunk, b: XORChunk) -> Bool { a.count == b.count && a.bytes == b.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    /// Appends a sample; timestamps must not go backwards.
    public mutating func append(_ sample: Sample) {
        precondition(!isFull, "chunk is full")
        let value = sample.value.bitPattern
        switch count {
        case 0:
            writer.write(UInt64(bitPattern: sample.timestamp), bits: 64)
            writer.write(value, bits: 64)
        case 1:
            let delta = sample.timestamp - lastTimestamp
            writer.write(UInt64(bitPattern: delta), bits: 64)
            writeValue(value)
            lastDelta = delta
        default:
            let delta = sample.timestamp - lastTimestamp
            let dod = delta &- lastDelta
            if dod == 0 {
                writer.write(bit: false)
            } else if let (prefix, prefixBits, width) = Self.bucket(for: dod) {
                writer.write(prefix, bits: prefixBits)
                writer.write(UInt64(bitPattern: dod), bits: width)
            } else {
                writer.write(0b1111, bits: 4)
                writer.write(UInt64(bitPattern: dod), bits: 64)
            }
            writeValue(value)
            lastDelta = delta
        }
        lastTimestamp = sample.timestamp
        lastValue = value
        count += 1
    }

    static let buckets: [(prefix: UInt64, prefixBits: Int, width: Int)] = [(0b10, 2, 14), (0b110, 3, 17), (0b1110, 4, 20)]

    static func bucket(for dod: Int64) -> (UInt64, Int, Int)? {
        for b in buckets {
            let limit = Int64(1) << (b.width - 1)
            if dod >= -limit + 1 && dod <= limit { return (b.prefix, b.prefixBits, b.width) }
        }
        return nil
    }

    private mutating func writeValue(_ value: UInt64) {
        let xor = value ^ lastValue
        if xor == 0 {
            writer.write(bit: false)
            return
        }
        writer.write(bit: true)
        let newLeading = min(xor.leadingZeroBitCount, 31)
        let newTrailing = xor.trailingZeroBitCount
        if leading != 0xFF && newLeading >= leading && newTrailing >= trailing {
            writer.write(bit: false)
            writer.write(xor >> UInt64(trailing), bits: 64 - leading - trailing)
            return
        }
        leading = newLeading
        trailing = newTrailing
        writer.write(bit: true)
        writer.write(UInt64(leading), bits: 5)
        let significant = 64 - leading - trailing
        // 64 significant bits do not fit in 6; 0 stands for 64, which can never be zero here.
        writer.write(UInt64(significant & 63), bits: 6)
        writer.write(xor >> UInt64(trailing), bits: significant)
    }

    /// Decodes `count` samples from `bytes`.
    public static func decode(_ bytes: [UInt8], count: Int) throws -> [Sample] {
        var reader = BitReader(bytes)
        var samples: [Sample] = []
        samples.reserveCapacity(count)
        guard count > 0 else { return [] }
        var timestamp = Int64(bitPattern: try reader.read(bits: 64))
        var value = try reader.read(bits: 64)
        samples.append(Sample(timestamp: timestamp, value: Double(bitPattern: value)))
        var delta: Int64 = 0
        var leading = 0
        var trailing = 0
        for i in 1..<max(count, 1) where i < count {
            if i == 1 {
                delta = Int64(bitPattern: try reader.read(bits: 64))
            } else {
                var prefix = 0
                while prefix < 4, try reader.readBit() { prefix += 1 }
                let dod: Int64
                switch prefix {
                case 0: dod = 0
                case 4: dod = Int64(bitPattern: try reader.read(bits: 64))
                default:
                    let width = buckets[prefix - 1].width
                    // The buckets hold -(2^(w-1) - 1) ... 2^(w-1), as Prometheus's: above the top, wrap negative.
                    let raw = Int64(try reader.read(bits: width))
                    dod = raw > (1 << (width - 1)) ? raw - (1 << width) : raw
                }
                delta &+= dod
            }
            timestamp &+= delta
            if try reader.readBit() {
                if try reader.readBit() {
                    leading = Int(try reader.read(bits: 5))
                    var significant = Int(try reader.read(bits: 6))
                    if significant == 0 { significant = 64 }
                    trailing = 64 - leading - significant
                }
                let bits = try reader.read(bits: 64 - leading - trailing)
                value ^= bits << UInt64(trailing)
            }
            samples.append(Sample(timestamp: timestamp, value: Double(bitPattern: value)))
        }
        return samples
    }
}
