import AlmanacConfig

/// flagd's `fractional`: a stable split of users between variants by weight.
///
/// The bucketing value is the first argument when it is not a `[variant, weight]` pair (any
/// JSON value but null), otherwise the array `[flagKey, targetingKey]`. Its canonical CBOR
/// bytes are hashed with MurmurHash3 x86_32 (seed 0) and `bucket = (UInt64(hash) * totalWeight)
/// >> 32`; the first variant whose running weight exceeds the bucket wins (flagd's fractional
/// specification, version 3, as openfeature-flagd-core 2 implements it).
extension Interpreter {
    static func fractional(_ args: [JSONValue], data: JSONValue) -> JSONValue {
        var distribution = args[...]
        let bucketBy: JSONValue
        if let first = distribution.first, !isFraction(first) {
            guard first != .null else { return .null }
            bucketBy = first
            distribution = distribution.dropFirst()
        } else {
            guard let value = shorthandBucket(data) else { return .null }
            bucketBy = value
        }
        var fractions: [(variant: JSONValue, weight: UInt64)] = []
        var total: UInt64 = 0
        for entry in distribution {
            guard case .array(let pair) = entry, !pair.isEmpty, pair.count <= 2 else { return .null }
            var weight: UInt64 = 1
            if pair.count == 2 {
                guard case .int(let w) = pair[1] else { return .null }
                weight = UInt64(max(0, w))
            }
            if weight > UInt64(Int32.max) { return .null }  // the total could not be valid, and must not overflow
            fractions.append((pair[0], weight))
            total += weight
        }
        guard total > 0, total <= UInt64(Int32.max) else { return .null }
        return pick(fractions, bucket: bucket(of: bucketBy, totalWeight: total))
    }

    /// `(UInt64(murmur3(cbor(value))) * totalWeight) >> 32`.
    public static func bucket(of value: JSONValue, totalWeight: UInt64) -> UInt64 {
        (UInt64(MurmurHash3.hash32(CanonicalCBOR.encode(value))) &* totalWeight) >> 32
    }

    /// A user's bucket for a flag: the shorthand's `[flagKey, targetingKey]`.
    public static func bucket(flagKey: String, targetingKey: String, totalWeight: UInt64) -> UInt64 {
        bucket(of: .array([.string(flagKey), .string(targetingKey)]), totalWeight: totalWeight)
    }

    /// `[flagKey, targetingKey]`, or nil without a usable targeting key.
    static func shorthandBucket(_ data: JSONValue) -> JSONValue? {
        guard case .string(let targetingKey) = data["targetingKey"] ?? .null, !targetingKey.isEmpty else { return nil }
        return .array([.string(data["$flagd"]?["flagKey"]?.stringValue ?? ""), .string(targetingKey)])
    }

    private static func isFraction(_ value: JSONValue) -> Bool {
        if case .array = value { return true }
        return false
    }

    private static func pick(_ fractions: [(variant: JSONValue, weight: UInt64)], bucket: UInt64) -> JSONValue {
        var end: UInt64 = 0
        for fraction in fractions {
            end += fraction.weight
            if bucket < end { return fraction.variant }
        }
        return .null
    }
}
