import AlmanacStorage
import AlmanacTesting
import SQLKit
import Testing

/// A transaction whose task is cancelled half-way (a job that lost its lease, a server
/// stopping) is rolled back, and the connection takes the next transaction: CI once saw every
/// later write of a server fail with "cannot start a transaction within a transaction".
/// SQLite only: PostgreSQL's pool runs a session's body outside the cancelled task.
@Suite struct DatabaseTransactionTests {
    @Test func aCancelledTransactionIsRolledBackAndTheNextOneRuns() async throws {
        try await Backend.sqlite.withDatabase { database in
            try await database.sql.raw("CREATE TABLE cancelled_test (x INTEGER)").run()
            let inside = AsyncStream<Void>.makeStream()
            let task = Task {
                try await database.transaction { session in
                    try await session.raw("INSERT INTO cancelled_test VALUES (1)").run()
                    inside.continuation.yield()
                    try await Task.sleep(for: .seconds(60))
                }
            }
            for await _ in inside.stream { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            try await database.transaction { session in try await session.raw("INSERT INTO cancelled_test VALUES (2)").run() }
            let rows = try await database.sql.raw("SELECT x FROM cancelled_test ORDER BY x").all().map { try $0.decode(column: "x", as: Int.self) }
            #expect(rows == [2], "the cancelled insert is gone and the next one is stored")
        }
    }
}
