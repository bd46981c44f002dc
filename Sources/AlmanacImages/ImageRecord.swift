/// What the audit knows about one file of the tree.
public struct ImageRecord: Sendable, Equatable {
    /// The path as found under the audited directory it came from.
    public var path: String
    /// The path below that directory, as a web server would serve it.
    public var relative: String
    public var size: Int64
    /// Last modification, milliseconds since 1970.
    public var modified: Int64
    /// The decoder's name for the format (`jpeg`, `png`, `webp`...), or nil when it is not an image.
    public var format: String?
    public var width: Int
    public var height: Int
    /// SHA-256 of the bytes, in hexadecimal.
    public var sha256: String
    public var dHash: UInt64
    public var pHash: UInt64
    /// The hashes of the picture's centre (90%), which a lightly cropped copy's whole picture matches.
    public var centreDHash: UInt64
    public var centrePHash: UInt64
    /// Why the file could not be decoded, when it could not.
    public var problem: String?

    public init(
        path: String, relative: String, size: Int64, modified: Int64, format: String?, width: Int, height: Int, sha256: String,
        dHash: UInt64, pHash: UInt64, centreDHash: UInt64 = 0, centrePHash: UInt64 = 0, problem: String?
    ) {
        self.path = path
        self.relative = relative
        self.size = size
        self.modified = modified
        self.format = format
        self.width = width
        self.height = height
        self.sha256 = sha256
        self.dHash = dHash
        self.pHash = pHash
        self.centreDHash = centreDHash
        self.centrePHash = centrePHash
        self.problem = problem
    }

    public var pixels: Int { width * height }
    public var isImage: Bool { format != nil && problem == nil }
}

/// Exact and near-duplicate groups and what keeping one file per group would free.
public struct DuplicateGroups: Sendable {
    public struct Group: Sendable, Equatable {
        /// Indices into the audited files; `keep` is among them.
        public var members: [Int]
        public var keep: Int
        /// Bytes of the members other than the one kept.
        public var freed: Int64
    }

    public var exact: [Group]
    public var near: [Group]
    public var exactFreed: Int64 { exact.reduce(0) { $0 + $1.freed } }
    /// Bytes near-duplicates would free beyond what the exact groups already free.
    public var nearFreed: Int64 { near.reduce(0) { $0 + $1.freed } }

    /// Exact groups keep the oldest copy (the one the others were copied from); near groups keep the
    /// copy with the most pixels, then the largest, since the others are resized or recompressed
    /// versions of it. A near group counts each set of identical bytes once, so no byte is freed twice.
    public static func find(_ files: [ImageRecord], threshold: Int) -> DuplicateGroups {
        var exact: [Group] = []
        var representative = Array(files.indices)
        let bySHA = Dictionary(grouping: files.indices.filter { files[$0].size > 0 }, by: { files[$0].sha256 })
        for members in bySHA.values where members.count > 1 {
            let sorted = members.sorted()
            let keep = sorted.min { (files[$0].modified, files[$0].path) < (files[$1].modified, files[$1].path) }!
            for member in sorted { representative[member] = keep }
            exact.append(Group(members: sorted, keep: keep, freed: files[keep].size * Int64(sorted.count - 1)))
        }
        let distinct = files.indices.filter { files[$0].isImage && representative[$0] == $0 }
        let groups = NearDuplicates.groups(
            distinct.map { NearDuplicates.Hashes(files[$0]) }, threshold: threshold)
        let near = groups.map { group -> Group in
            let members = group.map { distinct[$0] }
            let keep = members.max { (files[$0].pixels, files[$0].size, files[$1].path) < (files[$1].pixels, files[$1].size, files[$0].path) }!
            return Group(members: members, keep: keep, freed: members.filter { $0 != keep }.reduce(0) { $0 + files[$1].size })
        }
        return DuplicateGroups(
            exact: exact.sorted { $0.members[0] < $1.members[0] }, near: near.sorted { $0.members[0] < $1.members[0] })
    }
}
