/// Multi-index hashing (Norouzi, Punjani and Fleet, 2012) over 64-bit hashes: four tables, one
/// per 16-bit quarter. Two hashes within `radius` bits agree within `radius / 4` bits on at least
/// one quarter (pigeonhole), so a query looks up only the quarters' near neighbours and checks
/// those candidates. A BK-tree visits a large share of its nodes at a radius of 10 of 64 bits,
/// which is quadratic on a million photos; these lookups stay near constant per query.
public struct MultiIndexHash: Sendable {
    let hashes: [UInt64]
    /// Per quarter, the items sorted by that quarter's value (`items`), and where each value's run starts.
    let starts: [[Int32]]
    let items: [[Int32]]

    public init(_ hashes: [UInt64]) {
        self.hashes = hashes
        var starts: [[Int32]] = []
        var items: [[Int32]] = []
        for quarter in 0..<4 {
            var count = [Int32](repeating: 0, count: 65_537)
            for hash in hashes { count[Int(Self.quarter(hash, quarter)) + 1] += 1 }
            for value in 0..<65_536 { count[value + 1] += count[value] }
            var next = count
            var sorted = [Int32](repeating: 0, count: hashes.count)
            for (i, hash) in hashes.enumerated() {
                let value = Int(Self.quarter(hash, quarter))
                sorted[Int(next[value])] = Int32(i)
                next[value] += 1
            }
            starts.append(count)
            items.append(sorted)
        }
        self.starts = starts
        self.items = items
    }

    static func quarter(_ hash: UInt64, _ index: Int) -> UInt16 { UInt16(truncatingIfNeeded: hash >> UInt64(16 * index)) }

    /// Every item within `radius` bits of `hash`, each once, with its distance.
    public func search(_ hash: UInt64, radius: Int) -> [(item: Int, distance: Int)] {
        var out: [(item: Int, distance: Int)] = []
        var seen = Set<Int32>()
        for quarter in 0..<4 {
            let key = Self.quarter(hash, quarter)
            for mask in Self.masks(within: radius / 4) {
                let value = Int(key ^ mask)
                for position in starts[quarter][value]..<starts[quarter][value + 1] {
                    let item = items[quarter][Int(position)]
                    let distance = PerceptualHash.distance(hash, hashes[Int(item)])
                    if distance <= radius, seen.insert(item).inserted { out.append((Int(item), distance)) }
                }
            }
        }
        return out
    }

    static let maskTable: [[UInt16]] = (0...4).map { bits in
        var masks: [UInt16] = []
        neighbours(of: 0, within: bits) { masks.append($0) }
        return masks
    }

    /// The 16-bit masks of at most `bits` set bits (137 for 2).
    static func masks(within bits: Int) -> [UInt16] {
        if bits < maskTable.count { return maskTable[bits] }
        var masks: [UInt16] = []
        neighbours(of: 0, within: bits) { masks.append($0) }
        return masks
    }

    /// Calls `body` with every 16-bit value within `bits` of `key`.
    static func neighbours(of key: UInt16, within bits: Int, from lowest: Int = 0, _ body: (UInt16) -> Void) {
        body(key)
        guard bits > 0 else { return }
        for bit in lowest..<16 { neighbours(of: key ^ (1 << UInt16(bit)), within: bits - 1, from: bit + 1, body) }
    }
}

/// Groups of near-duplicates: files joined when both hashes are within their thresholds of each
/// other's, whole picture against whole picture or the centre of one against the whole of the
/// other (a light crop), by union-find over the pairs the index finds; each group in file order.
public enum NearDuplicates {
    public struct Hashes: Sendable {
        public var dHash: UInt64
        public var pHash: UInt64
        public var centreDHash: UInt64
        public var centrePHash: UInt64

        public init(dHash: UInt64, pHash: UInt64, centreDHash: UInt64, centrePHash: UInt64) {
            self.dHash = dHash
            self.pHash = pHash
            self.centreDHash = centreDHash
            self.centrePHash = centrePHash
        }

        public init(_ record: ImageRecord) {
            self.init(dHash: record.dHash, pHash: record.pHash, centreDHash: record.centreDHash, centrePHash: record.centrePHash)
        }
    }

    public static func groups(_ images: [Hashes], threshold: Int) -> [[Int]] {
        let index = MultiIndexHash(images.map(\.pHash))
        var parent = Array(0..<images.count)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        for (i, image) in images.enumerated() {
            // Two hashes must agree: pHash alone joins some unrelated flat images.
            for match in index.search(image.pHash, radius: threshold) where match.item != i {
                guard PerceptualHash.distance(image.dHash, images[match.item].dHash) <= threshold + 4 else { continue }
                parent[root(match.item)] = root(i)
            }
            for match in index.search(image.centrePHash, radius: threshold) where match.item != i {
                guard PerceptualHash.distance(image.centreDHash, images[match.item].dHash) <= threshold + 4 else { continue }
                parent[root(match.item)] = root(i)
            }
        }
        return Dictionary(grouping: images.indices, by: root).values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
