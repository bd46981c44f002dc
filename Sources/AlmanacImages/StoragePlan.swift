/// A reviewable list of what to change in the image tree, written by the audit and carried out by
/// `almanac storage apply`. Nothing in it deletes: every original goes to the quarantine.
public struct StoragePlan: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// Replace an exact duplicate by a hard link to the copy kept.
        case deduplicate
        /// Shrink an image over the pixel budget, same path and format.
        case downscale
        /// Write a WebP beside the image (`name.webp`) in its place.
        case webp
        /// Move an image nobody asked for to the cold directory, same relative path.
        case cold
    }

    public struct Action: Codable, Sendable, Equatable {
        public var kind: Kind
        public var path: String
        /// Below its audited directory: where it goes under the quarantine and the cold directory.
        public var relative: String
        /// The file as audited; apply refuses a file that changed since.
        public var sha256: String
        public var size: Int64
        /// `deduplicate`: the copy the path will link to.
        public var keep: String?

        public init(kind: Kind, path: String, relative: String, sha256: String, size: Int64, keep: String? = nil) {
            self.kind = kind
            self.path = path
            self.relative = relative
            self.sha256 = sha256
            self.size = size
            self.keep = keep
        }
    }

    public var version = 1
    public var quarantine: String
    public var coldDirectory: String?
    public var quality: Int
    public var pixelBudget: Int
    public var jpegQuality: Int
    public var actions: [Action]

    public init(quarantine: String, coldDirectory: String?, quality: Int, pixelBudget: Int, jpegQuality: Int, actions: [Action]) {
        self.quarantine = quarantine
        self.coldDirectory = coldDirectory
        self.quality = quality
        self.pixelBudget = pixelBudget
        self.jpegQuality = jpegQuality
        self.actions = actions
    }

    enum CodingKeys: String, CodingKey {
        case version, quarantine, actions, quality
        case coldDirectory = "cold_directory"
        case pixelBudget = "pixel_budget"
        case jpegQuality = "jpeg_quality"
    }

    /// One action per file at most, in this order of preference: a duplicate is linked (nothing
    /// else to do with it), a cold image is moved as it is, a large one is shrunk, the rest become WebP.
    public static func build(
        files: [ImageRecord], duplicates: DuplicateGroups, kinds: Set<Kind>, cold: Set<Int>, pixelBudget: Int
    ) -> [Action] {
        var taken = Set<Int>()
        var actions: [Action] = []
        func add(_ index: Int, _ kind: Kind, keep: String? = nil) {
            guard taken.insert(index).inserted else { return }
            let file = files[index]
            actions.append(Action(kind: kind, path: file.path, relative: file.relative, sha256: file.sha256, size: file.size, keep: keep))
        }
        if kinds.contains(.deduplicate) {
            for group in duplicates.exact {
                taken.insert(group.keep)
                for member in group.members where member != group.keep { add(member, .deduplicate, keep: files[group.keep].path) }
            }
        }
        let images = files.indices.filter { files[$0].isImage }
        if kinds.contains(.cold) { for index in images where cold.contains(index) { add(index, .cold) } }
        if kinds.contains(.downscale) { for index in images where files[index].pixels > pixelBudget { add(index, .downscale) } }
        if kinds.contains(.webp) { for index in images where files[index].format != "webp" { add(index, .webp) } }
        return actions.sorted { ($0.path, $0.kind.rawValue) < ($1.path, $1.kind.rawValue) }
    }
}

/// One line of the quarantine's manifest (JSON Lines): written `begun` before an action touches
/// anything and `done` after, so undo knows exactly what happened, even after a crash between.
public struct ManifestEntry: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case begun, done, undone }

    public var state: State
    public var action: StoragePlan.Action
    /// Where the original is kept (deduplicate, downscale, webp) or moved to (cold).
    public var stored: String
    /// The file the action left at `action.path` or beside it, with its checksum once done.
    public var produced: String?
    public var producedSHA256: String?

    public init(state: State, action: StoragePlan.Action, stored: String, produced: String?, producedSHA256: String?) {
        self.state = state
        self.action = action
        self.stored = stored
        self.produced = produced
        self.producedSHA256 = producedSHA256
    }

    enum CodingKeys: String, CodingKey {
        case state, action, stored, produced
        case producedSHA256 = "produced_sha256"
    }
}
