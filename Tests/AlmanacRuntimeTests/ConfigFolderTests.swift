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
