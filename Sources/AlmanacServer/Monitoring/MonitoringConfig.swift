import Foundation
import Logging
import Synchronization

/// The monitoring files currently in force. A reload that finds a mistake keeps the last good
/// set and reports the error, as the flag files do.
public final class MonitoringConfig: Sendable {
    private struct State {
        var files: MonitoringFiles
        var fingerprint: String
        var error: String?
        var loadedAt: Date
    }

    let configDirectory: String
    let logger: Logger
    private let state: Mutex<State>

    /// Loads the files; throws when the first load fails (the server then does not start).
    public init(configDirectory: String, logger: Logger) throws {
        self.configDirectory = configDirectory
        self.logger = logger
        let fingerprint = Self.fingerprint(configDirectory)
        state = Mutex(State(files: try MonitoringFiles.load(configDirectory: configDirectory), fingerprint: fingerprint, loadedAt: Date()))
    }

    public var current: MonitoringFiles { state.withLock { $0.files } }
    /// The last reload's mistake, while the previous set keeps running.
    public var error: String? { state.withLock { $0.error } }
    public var loadedAt: Date { state.withLock { $0.loadedAt } }

    /// Re-reads the files when they changed (or always, with `force`); true when a new set is in force.
    @discardableResult
    public func reload(force: Bool = false) -> Bool {
        let fingerprint = Self.fingerprint(configDirectory)
        if !force && fingerprint == state.withLock({ $0.fingerprint }) { return false }
        do {
            let files = try MonitoringFiles.load(configDirectory: configDirectory)
            state.withLock { $0 = State(files: files, fingerprint: fingerprint, error: nil, loadedAt: Date()) }
            logger.info("reloaded monitoring files", metadata: [
                "targets": "\(files.targets.count)", "rules": "\(files.rules.count)", "receivers": "\(files.receivers.count)",
            ])
            return true
        } catch {
            state.withLock {
                $0.error = "\(error)"
                $0.fingerprint = fingerprint
            }
            logger.error("monitoring files have errors; the last good set keeps running", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Changes whenever a file under `monitoring/` is added, removed or modified.
    static func fingerprint(_ configDirectory: String) -> String {
        let root = configDirectory + "/monitoring"
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
        return files.map { file in
            let attributes = try? FileManager.default.attributesOfItem(atPath: root + "/" + file)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(file):\(modified):\(attributes?[.size] as? Int ?? -1)"
        }.joined(separator: "|")
    }
}
