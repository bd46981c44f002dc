import AlmanacChecks
import Foundation
import Subprocess
import SystemPackage

/// Runs a Nagios plugin (the monitoring-plugins package's `check_*` programs work as they are):
/// its exit status is the result, its first line the message, its perfdata the numbers. A plugin
/// that outlives the timeout is killed and the result is CRITICAL, as Nagios does by default.
enum PluginRunner {
    static func run(_ arguments: [String], timeout: Int64) async throws -> ProbeResult {
        let started = ContinuousClock.now
        let result = try await withTimeout(timeout) {
            try await Subprocess.run(
                .path(FilePath(arguments[0])), arguments: Arguments(Array(arguments.dropFirst())), output: .string(limit: 1 << 20),
                error: .string(limit: 1 << 20))
        }
        let took = (ContinuousClock.now - started) / .seconds(1)
        let code: Int32
        switch result.terminationStatus {
        case .exited(let status): code = Int32(status)
        // Killed by a signal: the plugin did not say, so the result is UNKNOWN.
        case .signaled: code = 3
        }
        let printed = result.standardOutput.isEmpty ? result.standardError : result.standardOutput
        let parsed = PluginOutput(printed)
        let text = parsed.text.isEmpty ? "(the plugin printed nothing; exit status \(code))" : parsed.text
        return ProbeResult(
            status: CheckStatus(exitCode: code), output: ([text] + (parsed.longText.isEmpty ? [] : [parsed.longText])).joined(separator: "\n"),
            latency: took, metrics: parsed.metrics)
    }
}
