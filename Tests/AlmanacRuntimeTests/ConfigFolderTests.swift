import AlmanacConfig
import AlmanacRuntime
import AlmanacTesting
import Foundation
import Logging
import Testing

/// The one reader of config folders, and the reloader every domain shares.
@Suite struct ConfigFolderTests {
    @Test func readsTheFilesOfItsFolderAndSkipsHiddenOnes() throws {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(
            [
                "flags/a.yaml": "a", "flags/sub/b.yml": "b", "flags/.hidden.yaml": "h", "flags/.git/c.yaml": "c", "flags/notes.txt": "n",
                "other/d.yaml": "d",
            ], to: root)
        let folder = ConfigFolder(root: root, folder: "flags", suffixes: [".yaml", ".yml"])
        #expect(folder.files() == ["flags/a.yaml", "flags/sub/b.yml"])
        #expect(ConfigFolder(root: root, folder: "flags", suffixes: [".yaml"], recursive: false).files() == ["flags/a.yaml"])
        #expect(try folder.documents().map(\.text) == ["a", "b"])
    }

    @Test func aFileOverTheLimitIsAnErrorNamingIt() throws {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(["catalog/big.yaml": String(repeating: "x", count: ConfigDocument.maximumBytes + 1), "catalog/ok.yaml": "ok"], to: root)
        #expect {
            try ConfigFolder(root: root, folder: "catalog", suffixes: [".yaml"]).documents()
        } throws: { error in
            (error as? ConfigErrors)?.errors.map(\.file) == ["catalog/big.yaml"] && "\(error)".contains("more than the limit")
        }
    }

    /// A file that cannot be measured is refused, never read past the limit: a link to nowhere,
    /// a link to a file over the limit, and a pipe (which would block the reload).
    @Test func aFileThatCannotBeMeasuredIsRefusedNamingIt() throws {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(["slos/ok.yaml": "ok", "elsewhere/big.txt": String(repeating: "x", count: ConfigDocument.maximumBytes + 1)], to: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/slos/gone.yaml", withDestinationPath: root + "/slos/missing.yaml")
        try FileManager.default.createSymbolicLink(atPath: root + "/slos/huge.yaml", withDestinationPath: root + "/elsewhere/big.txt")
        #expect(mkfifo(root + "/slos/pipe.yaml", 0o644) == 0)
        #expect {
            try ConfigFolder(root: root, folder: "slos", suffixes: [".yaml"]).documents()
        } throws: { error in
            let errors = (error as? ConfigErrors)?.errors ?? []
            return errors.map(\.file) == ["slos/gone.yaml", "slos/huge.yaml", "slos/pipe.yaml"]
                && errors[0].description.contains("cannot be read (No such file or directory)")
                && errors[1].description.contains("more than the limit") && errors[2].description.contains("is not a regular file")
        }
    }

    @Test func theFingerprintFollowsEveryChange() throws {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(["monitoring/rules/a.yaml": "one"], to: root)
        let folder = ConfigFolder(root: root, folder: "monitoring", suffixes: [""])
        let first = folder.fingerprint()
        try TestServer.write(["monitoring/rules/a.yaml": "one, longer"], to: root)
        let edited = folder.fingerprint()
        try TestServer.write(["monitoring/targets.yaml": "new"], to: root)
        #expect(Set([first, edited, folder.fingerprint()]).count == 3)
    }

    @Test func aBadReloadKeepsTheLastGoodValueAndSaysWhy() throws {
        let root = try TestServer.temporaryDirectory()
        try TestServer.write(["numbers/n.txt": "41"], to: root)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        struct NotANumber: Error, CustomStringConvertible { var description: String }
        let files = try ReloadingFiles<Int>(configDirectory: root, folders: ["numbers"], clock: .system, logger: logger) { directory in
            let text = try String(contentsOfFile: directory + "/numbers/n.txt", encoding: .utf8)
            guard let n = Int(text) else { throw NotANumber(description: "numbers/n.txt:1: not a number") }
            return n
        }
        #expect(files.current == 41 && files.error == nil)
        #expect(!files.reload(force: false), "nothing changed")
        try TestServer.write(["numbers/n.txt": "forty-two"], to: root)
        #expect(!files.reload(force: false))
        #expect(files.current == 41 && files.error == "numbers/n.txt:1: not a number")
        try TestServer.write(["numbers/n.txt": "42"], to: root)
        #expect(files.reload(force: false))
        #expect(files.current == 42 && files.error == nil)
    }
}
