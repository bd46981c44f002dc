/// A Burkhard–Keller tree over 64-bit hashes with the Hamming distance: a query for everything
/// within `radius` visits only the children whose edge distance can still hold a match
/// (triangle inequality), so near-duplicates are found without comparing every pair.
public struct BKTree: Sendable {
    struct Node: Sendable {
        var hash: UInt64
        var items: [Int]
        /// Distance → child index.
        var children: [Int: Int] = [:]
    }

    var nodes: [Node] = []

    public init() {}

    /// Adds `item` (an index into the caller's files) under `hash`.
    public mutating func insert(_ hash: UInt64, item: Int) {
        guard !nodes.isEmpty else {
            nodes.append(Node(hash: hash, items: [item]))
            return
        }
        var current = 0
        while true {
            let distance = PerceptualHash.distance(hash, nodes[current].hash)
            if distance == 0 {
                nodes[current].items.append(item)
                return
            }
            if let child = nodes[current].children[distance] {
                current = child
            } else {
                nodes.append(Node(hash: hash, items: [item]))
                nodes[current].children[distance] = nodes.count - 1
                return
            }
        }
    }

    /// Items whose hash is within `radius` of `hash`, with their distance.
    public func search(_ hash: UInt64, radius: Int) -> [(item: Int, distance: Int)] {
        guard !nodes.isEmpty else { return [] }
        var out: [(item: Int, distance: Int)] = []
        var pending = [0]
        while let index = pending.popLast() {
            let node = nodes[index]
            let distance = PerceptualHash.distance(hash, node.hash)
            if distance <= radius { out += node.items.map { ($0, distance) } }
            for (edge, child) in node.children where edge >= distance - radius && edge <= distance + radius { pending.append(child) }
        }
        return out
    }
}

/// Groups of near-duplicates: files joined when both hashes are within their thresholds of each
/// other's, whole picture against whole picture or the centre of one against the whole of the
/// other (a light crop), by union-find over the pairs the tree finds; each group in file order.
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
        var tree = BKTree()
        for (i, image) in images.enumerated() { tree.insert(image.pHash, item: i) }
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
            for match in tree.search(image.pHash, radius: threshold) where match.item != i {
                guard PerceptualHash.distance(image.dHash, images[match.item].dHash) <= threshold + 4 else { continue }
                parent[root(match.item)] = root(i)
            }
            for match in tree.search(image.centrePHash, radius: threshold) where match.item != i {
                guard PerceptualHash.distance(image.centreDHash, images[match.item].dHash) <= threshold + 4 else { continue }
                parent[root(match.item)] = root(i)
            }
        }
        return Dictionary(grouping: images.indices, by: root).values.filter { $0.count > 1 }.map { $0.sorted() }.sorted { $0[0] < $1[0] }
    }
}
