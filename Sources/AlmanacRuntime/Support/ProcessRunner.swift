import Foundation
import Subprocess
import SystemPackage

/// Runs child processes without blocking a thread of the cooperative pool: swift-subprocess
/// waits for the child and reads its stdout and stderr together, so a chatty child cannot
/// fill one pipe while the reader waits on the other.
public enum ProcessRunner {
    /// How a child ended and what it printed.
    public struct Outcome: Sendable {
        /// The exit code, or 128 plus the signal that ended it (as shells report it).
        public var status: Int32
        public var output: String
        public var errors: String
        public var succeeded: Bool { status == 0 }
    }

    /// The child could not be started, or printed more than the limit.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Runs `arguments[0]` (looked up in PATH) with the rest as its arguments and `environment`
    /// added to this process's; collects at most `limit` bytes of each output.
    public static func run(_ arguments: [String], environment: [String: String] = [:], limit: Int = 64 << 20) async throws(Failure) -> Outcome {
        guard let name = arguments.first else { throw Failure(description: "no program to run") }
        do {
            let result = try await Subprocess.run(
                Self.executable(name), arguments: Arguments(Array(arguments.dropFirst())), environment: Self.environment(environment),
                output: .string(limit: limit), error: .string(limit: limit))
            return Outcome(status: Self.status(result.terminationStatus), output: result.standardOutput, errors: result.standardError)
        } catch {
            throw Failure(description: "\(name): \(error)")
        }
    }

    /// Runs `arguments` with stdout and stderr both written to `file`: a command that leaves a
    /// process in the background (a deploy starting a server) ends when its shell ends, not
    /// when the last holder of a pipe closes it.
    public static func run(_ arguments: [String], outputFile file: String, directory: String? = nil) async throws(Failure) -> Int32 {
        guard let name = arguments.first else { throw Failure(description: "no program to run") }
        do {
            let descriptor = try FileDescriptor.open(
                FilePath(file), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite])
            defer { try? descriptor.close() }
            let result = try await Subprocess.run(
                Self.executable(name), arguments: Arguments(Array(arguments.dropFirst())), workingDirectory: directory.map { FilePath($0) },
                output: .fileDescriptor(descriptor, closeAfterSpawningProcess: false),
                error: .fileDescriptor(descriptor, closeAfterSpawningProcess: false))
            return Self.status(result.terminationStatus)
        } catch {
            throw Failure(description: "\(name): \(error)")
        }
    }

    private static func environment(_ added: [String: String]) -> Environment {
        added.isEmpty
            ? .inherit : .inherit.updating(Dictionary(uniqueKeysWithValues: added.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
    }

    /// A name is looked up in PATH; a path (with a slash) is run as it is.
    static func executable(_ name: String) -> Executable { name.contains("/") ? .path(FilePath(name)) : .name(name) }

    private static func status(_ status: TerminationStatus) -> Int32 {
        switch status {
        case .exited(let code): return Int32(code)
        case .signaled(let signal): return 128 + Int32(signal)
        }
    }
}
