import AlmanacStorage
import Foundation
import Logging

/// History that a config repository carries in `monitoring/history/*.om` (the bundled example's
/// 45 days of servers), imported once into an empty store and moved so that its newest sample is
/// the moment of import: trends, forecasts and alerts have something to show on the first start.
public struct HistorySeed: Sendable {
    let configDirectory: String
    let store: SQLSeriesStore
    let logger: Logger

    let clock: WallClock

    public init(configDirectory: String, store: SQLSeriesStore, logger: Logger, clock: WallClock) {
        self.clock = clock
        self.configDirectory = configDirectory
        self.store = store
        self.logger = logger
    }

    public var files: [String] { ConfigFolder(root: configDirectory, folder: "monitoring/history", suffixes: [".om"]).files() }

    /// Imports the files when the store holds no series yet; returns the samples stored.
    @discardableResult
    public func importIfEmpty(now: Int64? = nil) async throws -> Int {
        let now = now ?? clock.milliseconds()
        let files = self.files
        guard !files.isEmpty, try await store.isEmpty() else { return 0 }
        let importer = SeriesImport(heads: SeriesHeads(store: store))
        var stored = 0
        for file in files {
            stored += try await importer.run(configDirectory + "/" + file, endingAt: now).stored
        }
        logger.info("imported the config repository's history into the empty store", metadata: ["files": "\(files.count)", "samples": "\(stored)"])
        return stored
    }
}
