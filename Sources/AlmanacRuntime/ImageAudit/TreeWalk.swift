import Foundation

/// The regular files under some directories, depth first, straight from readdir(3): the entry type
/// it gives tells directories from files without a stat each, where FileManager's enumerator stats
/// and bridges every name (a third of a checksum run on small files). Files get one lstat, for
/// their size and time. Symbolic links are not followed.
struct TreeWalk {
    struct Directory {
        let path: String
        let relative: String
        let handle: OpaquePointer
    }

    let excluded: [String]
    var roots: [String]
    var open: [Directory] = []
    /// Directories that could not be opened (permissions), to report rather than hide.
    private(set) var unreadable: [String] = []

    init(roots: [String], excluded: [String]) {
        self.roots = roots.reversed()
        self.excluded = excluded
    }

    mutating func next() throws(ImageAuditError) -> ImageAuditor.Found? {
        while true {
            guard let top = open.last else {
                guard let root = roots.popLast() else { return nil }
                guard let handle = opendir(root) else {
                    throw ImageAuditError("\(root): cannot read the directory (\(String(cString: strerror(errno))))")
                }
                open.append(Directory(path: root, relative: "", handle: handle))
                continue
            }
            guard let entry = readdir(top.handle) else {
                closedir(top.handle)
                open.removeLast()
                continue
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let path = top.path + "/" + name
            let relative = top.relative.isEmpty ? name : top.relative + "/" + name
            var info = stat()
            var kind = entry.pointee.d_type
            if kind == 0 {  // DT_UNKNOWN: some file systems do not say
                guard lstat(path, &info) == 0 else { continue }
                kind = info.st_mode & S_IFMT == S_IFDIR ? 4 : info.st_mode & S_IFMT == S_IFREG ? 8 : 1
            }
            if kind == 4 {  // DT_DIR
                if excluded.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { continue }
                guard let handle = opendir(path) else {
                    unreadable.append(path)
                    continue
                }
                open.append(Directory(path: path, relative: relative, handle: handle))
                continue
            }
            guard kind == 8, lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }  // DT_REG
            let modified = Int64(info.st_mtim.tv_sec) * 1000 + Int64(info.st_mtim.tv_nsec) / 1_000_000
            return ImageAuditor.Found(path: path, relative: relative, size: Int64(info.st_size), modified: modified)
        }
    }

    /// Closes what a walk stopped early left open.
    mutating func close() {
        for directory in open { closedir(directory.handle) }
        open = []
    }
}
