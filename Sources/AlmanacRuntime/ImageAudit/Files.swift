import Foundation

/// The file operations a plan is made of, each durable (fsync) before the next step relies on it.
enum Files {
    static func directory(_ path: String) throws(ImageAuditError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ImageAuditError("\(path): cannot create the directory (\(error.localizedDescription))")
        }
    }

    /// rename(2), creating the destination's directories; across file systems, a copy checked byte
    /// for byte before the source goes.
    static func move(_ source: String, to destination: String) throws(ImageAuditError) {
        try directory((destination as NSString).deletingLastPathComponent)
        if rename(source, destination) == 0 { return syncDirectory(of: destination) }
        guard errno == EXDEV else { throw failure("cannot move \(source) to \(destination)") }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: destination)
        } catch {
            throw ImageAuditError("cannot copy \(source) to \(destination): \(error.localizedDescription)")
        }
        try sync(destination)
        guard FileManager.default.contentsEqual(atPath: source, andPath: destination) else {
            throw ImageAuditError("\(destination): the copy differs from \(source); the source is left in place")
        }
        try remove(source)
    }

    /// A hard link, or a copy when the two paths are on different file systems.
    static func link(_ existing: String, at path: String) throws(ImageAuditError) {
        if Glibc.link(existing, path) == 0 { return syncDirectory(of: path) }
        guard errno == EXDEV else { throw failure("cannot link \(path) to \(existing)") }
        do { try FileManager.default.copyItem(atPath: existing, toPath: path) } catch {
            throw ImageAuditError("cannot copy \(existing) to \(path): \(error.localizedDescription)")
        }
        try sync(path)
    }

    static func write(_ data: Data, to path: String) throws(ImageAuditError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create \(path)") }
        defer { close(descriptor) }
        try write(data, descriptor: descriptor, path: path)
    }

    static func append(_ data: Data, to path: String) throws(ImageAuditError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { throw failure("cannot open \(path)") }
        defer { close(descriptor) }
        try write(data, descriptor: descriptor, path: path)
    }

    private static func write(_ data: Data, descriptor: Int32, path: String) throws(ImageAuditError) {
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else { throw failure("cannot write \(path)") }
    }

    static func remove(_ path: String) throws(ImageAuditError) {
        guard unlink(path) == 0 else { throw failure("cannot remove \(path)") }
    }

    static func sync(_ path: String) throws(ImageAuditError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw failure("cannot open \(path)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("cannot sync \(path)") }
    }

    /// A rename is durable once its directory is synced; a failure here only weakens durability.
    static func syncDirectory(of path: String) {
        let descriptor = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func failure(_ what: String) -> ImageAuditError {
        ImageAuditError("\(what) (\(String(cString: strerror(errno))))")
    }
}
