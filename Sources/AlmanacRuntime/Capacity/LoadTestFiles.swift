import AlmanacCapacity
import AlmanacConfig
import Foundation

/// The load tests of `capacity/loadtests/`, by name (the file name unless the file says).
public struct LoadTestFiles: Sendable {
    public static let folder = "capacity/loadtests"
    public let root: String
    public var tests: [String: LoadTest]

    public init(root: String, tests: [String: LoadTest]) {
        self.root = root
        self.tests = tests
    }

    public static func load(_ configDirectory: String) throws(ConfigErrors) -> LoadTestFiles {
        var tests: [String: LoadTest] = [:]
        try ConfigFolder(root: configDirectory, folder: folder, suffixes: [".yaml", ".yml"]).eachDocument { source, root throws(ConfigError) in
            let name = URL(fileURLWithPath: source.file).deletingPathExtension().lastPathComponent
            let test = try LoadTestFile.parse(root, name: name)
            if let other = tests[test.name] {
                throw ConfigError(
                    file: source.file, line: 0, field: "name", message: "a second load test named '\(test.name)' (first in \(other.file))")
            }
            tests[test.name] = test
        }
        return LoadTestFiles(root: configDirectory, tests: tests)
    }

    /// The test and its requests ready to send, the data file read and checked.
    public func plan(_ name: String) throws(LoadProblem) -> (LoadTest, RequestPlan) {
        guard let test = tests[name] else {
            let known = tests.keys.sorted().joined(separator: ", ")
            throw .data("no load test named '\(name)' in \(Self.folder)/ (\(known.isEmpty ? "there are none" : "there are: " + known))")
        }
        var table: CSVTable?
        if let data = test.data {
            let folder = test.file.split(separator: "/").dropLast().joined(separator: "/")
            let file = data.hasPrefix("/") || folder.isEmpty ? data : folder + "/" + data
            let text: String
            do { text = try ConfigFolder.read(root: root, file: file) } catch { throw .data(error.description) }
            do { table = try CSVTable.parse(text, file: file) } catch { throw .data(error.description) }
        }
        do { return (test, try RequestPlan(test: test, data: table)) } catch { throw .data(error.description) }
    }
}
