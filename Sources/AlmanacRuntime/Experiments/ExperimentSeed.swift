import AlmanacExperiments
import AlmanacStorage
import Foundation

/// Experiment histories a config repository carries in `experiments/history/FLAG.csv` (the
/// bundled example's A/B test), stored once for a flag with no exposure yet, with times counted
/// back from the import: the experiments page has results on the first start.
public struct ExperimentSeed: Sendable {
    let configDirectory: String
    let service: ExperimentService

    public init(configDirectory: String, service: ExperimentService) {
        self.configDirectory = configDirectory
        self.service = service
    }

    /// Imports each file whose flag runs an experiment and has no exposure stored; returns how many.
    /// A file with a bad row stops before anything of it is stored.
    @discardableResult
    public func importIfEmpty() async throws -> Int {
        let experiments = Dictionary(uniqueKeysWithValues: service.experiments().map { ($0.flag.key, $0) })
        var imported = 0
        for file in ConfigFolder(root: configDirectory, folder: "experiments/history", suffixes: [".csv"]).files() {
            let key = String((file as NSString).lastPathComponent.dropLast(4))
            guard let (flag, spec) = experiments[key], try await service.store.population(flagKey: key, until: .max).firstAt == nil else { continue }
            guard let text = try? String(contentsOfFile: configDirectory + "/" + file, encoding: .utf8) else {
                throw ExperimentHistory.Problem(file: file, line: 0, message: "cannot be read")
            }
            let history = try ExperimentHistory.parse(text, file: file, spec: spec, variants: flag.variantNames)
            let now = service.clock.milliseconds()
            try await service.store.record(
                history.exposures.map {
                    .init(flagKey: key, targetingKey: $0.targetingKey, variant: $0.variant, at: now - $0.secondsAgo * 1000, excluded: $0.excluded)
                },
                events: history.events.map {
                    .init(
                        id: "history:\(key):\($0.line)", flagKey: key, targetingKey: $0.targetingKey, variant: $0.variant, event: $0.event,
                        value: $0.value, at: now - $0.secondsAgo * 1000)
                })
            imported += 1
        }
        return imported
    }
}
