import AlmanacPatches
import AlmanacRollout
import AlmanacStorage
import Crypto
import Foundation
import SQLKit

/// Why a patch did not apply, by kind, so the edges can say it in their terms.
public enum PatchError: Error, Sendable, CustomStringConvertible {
    /// The database cannot be reached: nothing was tried.
    case unreachable(String)
    /// A patch's file changed after it was applied: nothing after it is applied.
    case changed(String)
    /// A cold patch with no window configured, or a window command that failed.
    case window(String)
    /// A statement failed: the patch's transaction rolled back and the ledger says failed.
    case failed(patch: String, line: Int, message: String)

    public var description: String {
        switch self {
        case .unreachable(let message), .changed(let message), .window(let message): message
        case .failed(let patch, let line, let message): "\(patch):\(line): \(message); nothing of the patch stays, and the ledger says failed"
        }
    }
}

/// Applies patches to one database in order: hot ones live under a lock timeout, retried when
/// the lock is not had in time; cold ones inside a fast downtime window whose length is
/// measured. Every patch runs in a transaction of its own with its ledger row, so a failure
/// leaves nothing behind; statements that cannot run in a transaction (CONCURRENTLY) run one by
/// one and a concurrently built index is checked valid. Fails closed at the first problem.
public struct PatchApplier: Sendable {
    public struct Applied: Sendable, Equatable {
        public var name: String
        public var verdict: StatementClass.Verdict
        public var milliseconds: Int64
        public var windowMilliseconds: Int64?
        public var attempts: Int
    }

    let database: Database
    let settings: Pipeline.DatabaseSettings
    let clock: WallClock
    let actor: String
    /// Runs a window command (the pipeline's shell runner).
    let run: @Sendable (String) async -> (ok: Bool, output: String)

    public init(
        database: Database, settings: Pipeline.DatabaseSettings, clock: WallClock, actor: String,
        run: @escaping @Sendable (String) async -> (ok: Bool, output: String)
    ) {
        (self.database, self.settings, self.clock, self.actor, self.run) = (database, settings, clock, actor, run)
    }

    static func checksum(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }

    /// The patches not applied yet, in order; a changed patch stops everything.
    public func pending(_ set: PatchSet) async throws -> [PatchSet.Patch] {
        let ledger = PatchLedger(database: database)
        let entries: [PatchLedger.Entry]
        do {
            entries = try await ledger.entries()
        } catch {
            throw PatchError.unreachable("the database cannot be read: \(DatabaseError.serverMessage(error))")
        }
        var pending: [PatchSet.Patch] = []
        for patch in set.patches {
            guard let entry = entries.first(where: { $0.name == patch.name }), entry.status == "applied" else {
                pending.append(patch)
                continue
            }
            if entry.checksum != Self.checksum(patch.text) {
                throw PatchError.changed(
                    "\(patch.file) changed after it was applied on \(Date(timeIntervalSince1970: Double(entry.appliedAt) / 1000))")
            }
        }
        return pending
    }

    /// Applies every pending patch up to `last` (all when nil), in order.
    public func apply(_ set: PatchSet, upTo last: String? = nil) async throws -> [Applied] {
        do { try await PatchLedger(database: database).create() } catch {
            throw PatchError.unreachable("the ledger cannot be created: \(DatabaseError.serverMessage(error))")
        }
        var done: [Applied] = []
        for patch in try await pending(set) {
            done.append(try await apply(patch))
            if patch.name == last { break }
        }
        return done
    }

    public func apply(_ patch: PatchSet.Patch) async throws -> Applied {
        guard patch.verdict == .cold else { return try await live(patch) }
        guard let start = settings.windowStart, let end = settings.windowEnd else {
            throw PatchError.window("\(patch.name) is cold (\(coldReason(patch))) and the pipeline has no window: add database.window")
        }
        let opened = clock.milliseconds()
        let began = await run(start)
        guard began.ok else { throw PatchError.window("the window did not open: \(began.output.split(separator: "\n").last ?? "")") }
        var outcome: Result<Applied, any Error>
        do { outcome = .success(try await transactional(patch, lockTimeout: nil, windowStart: opened)) } catch { outcome = .failure(error) }
        // The hosts come back whatever happened to the patch.
        let ended = await run(end)
        let window = clock.milliseconds() - opened
        if case .success(var applied) = outcome {
            applied.windowMilliseconds = window
            try await updateWindow(patch, window)
            outcome = .success(applied)
        }
        guard ended.ok else { throw PatchError.window("the window did not close: \(ended.output.split(separator: "\n").last ?? "")") }
        return try outcome.get()
    }

    func coldReason(_ patch: PatchSet.Patch) -> String {
        zip(patch.statements, patch.classes).first { $0.1.verdict == .cold }.map { "line \($0.0.line): \($0.1.reason)" } ?? ""
    }

    /// A hot patch, retried while its locks are not had in time.
    func live(_ patch: PatchSet.Patch) async throws -> Applied {
        var attempt = 0
        while true {
            attempt += 1
            do {
                var applied = try await patch.transactional ? transactional(patch, lockTimeout: settings.lockTimeout) : oneByOne(patch)
                applied.attempts = attempt
                return applied
            } catch PatchError.failed(_, _, let message) where message.hasPrefix("55P03") && attempt <= settings.retries {
                try await clock.sleep(for: .milliseconds(min(30_000, 250 << min(attempt, 7))))
            }
        }
    }

    func transactional(_ patch: PatchSet.Patch, lockTimeout: Int64?, windowStart: Int64? = nil) async throws -> Applied {
        let started = clock.milliseconds()
        let statements = patch.runnable
        let verify = patch.verify
        let (clock, actor) = (self.clock, self.actor)
        let sum = Self.checksum(patch.text)
        do {
            try await database.transaction { [database] session in
                if let lockTimeout { try await session.raw("SET LOCAL lock_timeout = \(unsafeRaw: String(lockTimeout))").run() }
                let pid = try await session.raw("SELECT pg_backend_pid() AS pid").first()?.decode(column: "pid", as: Int.self) ?? 0
                let sampler = LockSampler(database: database, pid: pid)
                sampler.start(clock: clock)
                for (statement, _) in statements {
                    do { try await session.raw(SQLQueryString(statement.text)).run() } catch {
                        _ = await sampler.stop()
                        throw PatchError.failed(patch: patch.file, line: statement.line, message: Self.describe(error))
                    }
                }
                for statement in verify {
                    do { try await session.raw(SQLQueryString(statement.text)).run() } catch {
                        _ = await sampler.stop()
                        throw PatchError.failed(patch: patch.file, line: statement.line, message: "its verify script failed: " + Self.describe(error))
                    }
                }
                let locks = await sampler.stop()
                let entry = PatchLedger.Entry(
                    name: patch.name, checksum: sum, status: "applied", appliedAt: clock.milliseconds(), appliedBy: actor,
                    milliseconds: clock.milliseconds() - started, locks: locks)
                try await PatchLedger.record(entry, on: session)
            }
        } catch let error as PatchError {
            try await recordFailure(patch, error, started: started)
            throw error
        } catch {
            throw PatchError.unreachable("the patch could not be applied: \(DatabaseError.serverMessage(error))")
        }
        return Applied(name: patch.name, verdict: patch.verdict, milliseconds: clock.milliseconds() - started, attempts: 1)
    }

    static func describe(_ error: any Error) -> String {
        let state = DatabaseError.sqlState(error).map { "\($0) " } ?? ""
        return state + DatabaseError.serverMessage(error)
    }

    func recordFailure(_ patch: PatchSet.Patch, _ error: PatchError, started: Int64) async throws {
        let entry = PatchLedger.Entry(
            name: patch.name, checksum: Self.checksum(patch.text), status: "failed", appliedAt: clock.milliseconds(), appliedBy: actor,
            milliseconds: clock.milliseconds() - started, error: error.description)
        try await PatchLedger(database: database).record(entry)
    }

    func updateWindow(_ patch: PatchSet.Patch, _ window: Int64) async throws {
        try await database.sql.raw("UPDATE almanac_patches SET window_milliseconds = \(bind: window) WHERE name = \(bind: patch.name)").run()
    }
}
