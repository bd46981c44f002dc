/// JSON values travel inside typed response bodies (a flag's variants and targeting), so they
/// encode through `Encodable` like every other field. Foundation's encoder writes a whole
/// `.double` without its fraction (`3.0` as `3`); OFREP, where clients type-check the two, keeps
/// its own writer.
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
