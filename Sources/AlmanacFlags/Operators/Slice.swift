import AlmanacConfig

/// Almanac's `slice`: true for a stable `percent` of users. It buckets as `fractional` does
/// (`[flagKey, targetingKey]`, or the second argument), in hundredths of a percent, so a user
/// inside a 10% slice stays inside when the slice grows to 20%.
extension Interpreter {
    static func slice(_ args: [JSONValue], data: JSONValue) -> JSONValue {
        let percent = Coercion.double(args.at(0))
        guard !percent.isNaN else { return .bool(false) }
        let key: JSONValue
        if args.count > 1 {
            guard case .string = args[1] else { return .bool(false) }
            key = args[1]
        } else {
            guard let value = shorthandBucket(data) else { return .bool(false) }
            key = value
        }
        return .bool(Double(bucket(of: key, totalWeight: 10_000)) < percent * 100)
    }
}
