import AlmanacPatches
import AlmanacStorage
import SQLKit
import Synchronization

/// Watches one backend's table locks while a patch runs, from another connection, so what the
/// patch really took is kept beside what the classifier predicted: `products:AccessExclusiveLock`.
final class LockSampler: Sendable {
    private let seen = Mutex<[String: LockMode]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    private let database: Database
    private let pid: Int

    init(database: Database, pid: Int) {
        self.database = database
        self.pid = pid
    }

    /// Starts sampling every `interval` until `stop()`.
    func start(clock: WallClock, interval: Duration = .milliseconds(25)) {
        let sampling = Task { [self] in
            while !Task.isCancelled {
                do {
                    try await sample()
                    try await clock.sleep(for: interval)
                } catch {
                    // A lost sample does not stop the patch: the last one, at the end, still runs.
                    return
                }
            }
        }
        task.withLock { $0 = sampling }
    }

    private func sample() async throws {
        let rows = try await database.sql.raw(
            """
            SELECT c.relname AS name, l.mode AS mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = \(bind: pid) AND l.locktype = 'relation' AND c.relkind IN ('r', 'p')
            """
        ).all()
        for row in rows {
            guard let name = try? row.decode(column: "name", as: String.self),
                let mode = (try? row.decode(column: "mode", as: String.self)).flatMap(LockMode.init(rawValue:))
            else { continue }
            seen.withLock { $0[name] = max($0[name] ?? mode, mode) }
        }
    }

    /// Stops sampling after one last sample (inside a transaction every lock is still held);
    /// the strongest lock seen on each table, as `table:Mode` joined by commas.
    func stop() async -> String {
        let running = task.withLock { $0 }
        running?.cancel()
        await running?.value
        do { try await sample() } catch {}
        return seen.withLock { $0 }.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }.joined(separator: ",")
    }
}
