import AlmanacPatches
import AlmanacStorage
import SQLKit

extension PatchApplier {
    /// A patch with statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY):
    /// each runs on its own under the lock timeout, and an index built concurrently is checked
    /// valid (a failed build leaves an invalid one behind, which is dropped so a retry can build
    /// it again). Not atomic: what ran before a failure stays, and the ledger says failed.
    func oneByOne(_ patch: PatchSet.Patch) async throws -> Applied {
        let started = clock.milliseconds()
        let timeout = settings.lockTimeout
        for (statement, _) in patch.runnable {
            let index = statement.createdIndex
            do {
                try await database.sql.withSession { session in
                    try await session.raw("SET lock_timeout = \(unsafeRaw: String(timeout))").run()
                    do {
                        try await session.raw(SQLQueryString(statement.text)).run()
                        try await session.raw("RESET lock_timeout").run()
                    } catch {
                        try? await session.raw("RESET lock_timeout").run()
                        throw error
                    }
                }
                if let index, try await !isValid(index: index) {
                    throw PatchError.failed(patch: patch.file, line: statement.line, message: "the index \(index) was built invalid")
                }
            } catch {
                if let index { try await dropInvalid(index: index) }
                let failure = error as? PatchError ?? .failed(patch: patch.file, line: statement.line, message: Self.describe(error))
                try await recordFailure(patch, failure, started: started)
                throw failure
            }
        }
        try await PatchLedger(database: database).record(
            .init(
                name: patch.name, checksum: Self.checksum(patch.text), status: "applied", appliedAt: clock.milliseconds(), appliedBy: actor,
                milliseconds: clock.milliseconds() - started))
        return Applied(name: patch.name, verdict: patch.verdict, milliseconds: clock.milliseconds() - started, attempts: 1)
    }

    func isValid(index: String) async throws -> Bool {
        let row = try await database.sql.raw(
            "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = \(bind: index)"
        ).first()
        return try row?.decode(column: "valid", as: Bool.self) ?? false
    }

    /// An index left invalid by a failed concurrent build is dropped; a valid one (built before) stays.
    func dropInvalid(index: String) async throws {
        let exists = try await database.sql.raw("SELECT 1 AS one FROM pg_class WHERE relname = \(bind: index)").first() != nil
        guard exists, try await !isValid(index: index) else { return }
        try await database.sql.raw("DROP INDEX CONCURRENTLY IF EXISTS \(ident: index)").run()
    }
}
