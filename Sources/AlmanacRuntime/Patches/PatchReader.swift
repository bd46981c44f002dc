import AlmanacPatches
import Foundation

/// Reads patch files from disk and classifies their statements; a file that is not valid SQL is
/// an error naming the file and the line PostgreSQL's parser stopped at.
public enum PatchReader {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public struct Classified: Sendable {
        public var statement: SQLParser.Statement
        public var found: StatementClass
    }

    /// Patches larger than this are refused rather than parsed: a schema change is not a dump.
    public static let maximumBytes = 4 * 1024 * 1024

    public static func classify(file path: String) throws(Problem) -> [Classified] {
        let text = try read(path)
        do {
            return try SQLParser.parse(text).map { Classified(statement: $0, found: Classifier.classify($0)) }
        } catch {
            throw Problem(file: path, line: error.line, message: error.message)
        }
    }

    static func read(_ path: String) throws(Problem) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else { throw Problem(file: path, line: 0, message: "cannot be read") }
        guard size <= maximumBytes else { throw Problem(file: path, line: 0, message: "is \(size) bytes, more than \(maximumBytes)") }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw Problem(file: path, line: 0, message: "is not UTF-8 text")
        }
        return text
    }
}
