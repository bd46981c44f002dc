/// Two databases' schemas, each a set of lines (`column products.stock bigint not null`,
/// `index products_code: CREATE INDEX ...`), compared: what one has that the other has not.
public struct SchemaDiff: Sendable, Equatable {
    public var onlyInFirst: [String]
    public var onlyInSecond: [String]

    public var isEmpty: Bool { onlyInFirst.isEmpty && onlyInSecond.isEmpty }
    public var count: Int { onlyInFirst.count + onlyInSecond.count }

    public init(_ first: [String], _ second: [String]) {
        let (a, b) = (Set(first), Set(second))
        onlyInFirst = a.subtracting(b).sorted()
        onlyInSecond = b.subtracting(a).sorted()
    }
}
