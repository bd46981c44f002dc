import AlmanacConfig
import Foundation
import Logging
import Synchronization

/// Something loaded from the config repository and kept current by the watcher.
public protocol Reloadable: Sendable {
    /// Re-reads the files when they changed (or always, with `force`); true when a new value is
    /// in force. A mistake keeps the last good value, all or nothing, and is reported.
    @discardableResult
    func reload(force: Bool) -> Bool
}

/// Files of one folder of the config repository, loaded into a value and kept current: a
/// reload that finds a mistake keeps the last good value and reports the error, as the flag
/// files do.
public final class ReloadingFiles<Value: Sendable>: Reloadable {
    private struct State {
        var value: Value
        var fingerprint: String
        /// The last reload's mistakes, one `file:line: field: message` each.
        var errors: [String] = []
        var loadedAt: Date
    }

    let configDirectory: String
    /// The folders whose files make the value; any change in them means a reload.
    let folders: [ConfigFolder]
    let load: @Sendable (String) throws -> Value
    /// What a value was read from beyond `folders`.
    let alsoWatching: @Sendable (Value) -> WatchList
    let clock: WallClock
    let logger: Logger
    private let state: Mutex<State>

    /// Loads the files; throws when the first load fails (the server then does not start).
    public convenience init(
        configDirectory: String, folders: [String], clock: WallClock, logger: Logger, load: @escaping @Sendable (String) throws -> Value
    ) throws {
        try self.init(
            configDirectory: configDirectory, watching: folders.map { ConfigFolder(root: configDirectory, folder: $0, suffixes: [""]) },
            clock: clock, logger: logger, load: load)
    }

    /// Loads the files of `folders`, the ones a change to which means a reload.
    public init(
        configDirectory: String, watching folders: [ConfigFolder], clock: WallClock, logger: Logger,
        alsoWatching: @escaping @Sendable (Value) -> WatchList = { _ in WatchList() }, load: @escaping @Sendable (String) throws -> Value
    ) throws {
        self.configDirectory = configDirectory
        self.clock = clock
        self.folders = folders
        self.load = load
        self.alsoWatching = alsoWatching
        self.logger = logger
        let before = folders.map { $0.fingerprint() }
        let value = try load(configDirectory)
        state = Mutex(State(value: value, fingerprint: "", loadedAt: clock.date()))
        let fingerprint = Self.fingerprint(before, configDirectory, folders, alsoWatching(value))
        state.withLock { $0.fingerprint = fingerprint }
    }

    private var names: String { folders.map { $0.folder.isEmpty ? "config" : $0.folder }.joined(separator: " and ") }

    public var current: Value { state.withLock { $0.value } }
    /// The last reload's mistake, while the previous value stays in force.
    public var error: String? {
        let errors = self.errors
        return errors.isEmpty ? nil : errors.joined(separator: "\n")
    }
    /// The same, one mistake a line.
    public var errors: [String] { state.withLock { $0.errors } }
    public var loadedAt: Date { state.withLock { $0.loadedAt } }

    /// Re-reads the files when they changed (or always, with `force`); true when a new value is in force.
    @discardableResult
    public func reload(force: Bool = false) -> Bool {
        let fingerprint = Self.fingerprint(folders.map { $0.fingerprint() }, configDirectory, folders, alsoWatching(current))
        if !force && fingerprint == state.withLock({ $0.fingerprint }) { return false }
        do {
            let value = try load(configDirectory)
            state.withLock { $0 = State(value: value, fingerprint: fingerprint, loadedAt: clock.date()) }
            logger.info("reloaded \(names) files")
            return true
        } catch {
            state.withLock {
                $0.errors = (error as? ConfigErrors)?.errors.map(\.description) ?? ["\(error)"]
                $0.fingerprint = fingerprint
            }
            logger.error("\(names) files have errors; the last good set stays in force", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Changes whenever a file under one of `folders`, or one the value names beyond them, is
    /// added, removed or modified.
    private static func fingerprint(_ inFolders: [String], _ root: String, _ folders: [ConfigFolder], _ named: WatchList) -> String {
        let beyond = named.files.filter { file in !folders.contains { file.hasPrefix($0.folder + "/") } }
        let listed = named.folders.map { ConfigFolder(root: root, folder: $0, suffixes: [""]).fingerprint() }
        return (inFolders + [ConfigFolder.fingerprint(root: root, files: beyond)] + listed).joined(separator: "|")
    }
}

/// Files and folders, relative to the config repository, that a loaded value came from beyond
/// its own folders (a catalogue location may name any file of the repository).
public struct WatchList: Sendable {
    public var files: [String]
    public var folders: [String]

    public init(files: [String] = [], folders: [String] = []) {
        self.files = files
        self.folders = folders
    }
}

/// The monitoring files currently in force.
public typealias MonitoringConfig = ReloadingFiles<MonitoringFiles>

extension ReloadingFiles where Value == MonitoringFiles {
    public convenience init(configDirectory: String, clock: WallClock, logger: Logger) throws {
        try self.init(configDirectory: configDirectory, folders: ["monitoring"], clock: clock, logger: logger) {
            try MonitoringFiles.load(configDirectory: $0)
        }
    }
}
