import AlmanacPatches
import AlmanacRollout
import AlmanacStorage

/// A revision declares the schema it needs with a `Requires-Patch: 0042-add-barcode-index`
/// trailer; it goes to an environment only once that environment's database has the patch (and
/// so every patch before it). Fails closed: a database that cannot be read holds the rollout.
extension RolloutManager {
    /// The newest patch `revision` needs that `environment`'s database has not applied; nil when none.
    func missingPatch(_ environment: Pipeline.Environment, _ pipeline: Pipeline, revision: String) async throws -> String? {
        guard pipeline.database != nil, environment.database != nil else { return nil }
        let named: [String]
        do { named = try await GitRepository.requiredPatches(pipeline.repository, upTo: revision) } catch {
            throw RolloutError.badRevision(error.description)
        }
        guard !named.isEmpty else { return nil }
        let service = patchService(pipeline)
        let set: PatchSet
        do { set = try service.patches() } catch { throw RolloutError.conflict("the patches cannot be read: \(error)") }
        let numbers = named.map { name in (name, set.patch(name)?.number) }
        if let unknown = numbers.first(where: { $0.1 == nil }) {
            throw RolloutError.conflict("\(revision.prefix(10)) needs patch \(unknown.0), which \(pipeline.database?.patches ?? "") does not have")
        }
        let newest = numbers.max { $0.1! < $1.1! }!.0
        let pending: [PatchSet.Patch]
        do { pending = try await service.pending(environment: environment.name) } catch {
            throw RolloutError.conflict("the database of \(environment.name) cannot be read, so whether it has patch \(newest) is unknown: \(error)")
        }
        return pending.contains { $0.name == newest } ? newest : nil
    }

    func patchService(_ pipeline: Pipeline) -> PatchService {
        PatchService(pipeline: pipeline, clock: clock, logger: logger)
    }
}
