import AlmanacImages
import Foundation

/// Reads web server access logs line by line, plain or gzip-compressed (rotated `access.log.2.gz`),
/// without holding a whole log in memory.
public enum AccessLogs {
    /// Adds every line of `paths` to `heat`. A directory stands for the files in it whose name has
    /// `access`. A log that cannot be read stops the audit, naming it: read as no hits, it would
    /// send hot images to cold storage.
    public static func read(_ paths: [String], into heat: inout AccessHeat) throws(ImageAuditError) {
        for path in try expanded(paths) {
            try lines(of: path) { heat.add($0) }
        }
    }

    static func expanded(_ paths: [String]) throws(ImageAuditError) -> [String] {
        var out: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ImageAuditError("\(path): no such access log")
            }
            if isDirectory.boolValue {
                let names: [String]
                do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                    throw ImageAuditError("\(path): cannot read the access-log folder (\(error.localizedDescription))")
                }
                let logs = names.filter { $0.contains("access") }.sorted().map { path + "/" + $0 }
                guard !logs.isEmpty else { throw ImageAuditError("\(path): no access logs in the folder (no file whose name has 'access')") }
                out += logs
            } else {
                out.append(path)
            }
        }
        return out
    }

    /// Calls `body` with each line. gzip's own program decompresses (it is on every Debian system,
    /// and a pipe streams where a library call would want the whole file or a binding of its own).
    static func lines(of path: String, _ body: (Substring) -> Void) throws(ImageAuditError) {
        let handle: FileHandle
        var process: Process?
        if path.hasSuffix(".gz") {
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
            gzip.arguments = ["-dc", "--", path]
            let pipe = Pipe()
            gzip.standardOutput = pipe
            gzip.standardError = FileHandle.nullDevice
            do { try gzip.run() } catch { throw ImageAuditError("\(path): cannot run gzip (\(error))") }
            handle = pipe.fileHandleForReading
            process = gzip
        } else {
            guard let file = FileHandle(forReadingAtPath: path) else { throw ImageAuditError("\(path): cannot open") }
            handle = file
        }
        var carry = Data()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                process?.terminate()
                throw ImageAuditError("\(path): cannot read the access log (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            carry.append(chunk)
            guard let last = carry.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            let text = String(decoding: carry[carry.startIndex..<last], as: UTF8.self)
            for line in text.split(separator: "\n", omittingEmptySubsequences: true) { body(line) }
            carry = Data(carry[(last + 1)...])
        }
        if !carry.isEmpty { body(Substring(String(decoding: carry, as: UTF8.self))) }
        try? handle.close()
        if let process {
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw ImageAuditError("\(path): gzip could not decompress it") }
        }
    }
}
