import AlmanacRuntime
import AlmanacStorage
import AlmanacTesting
import Clocks
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// Work done once per cluster: a lease has one holder at a time on PostgreSQL, passes on only
/// when released or run out, and a job under it runs in exactly one replica.
@Suite struct LeaseTests {
    static var logger: Logger {
        var logger = Logger(label: "almanac-test")
        logger.logLevel = .critical
        return logger
    }

    /// The test drives the lease store's clock: two seconds pass without a wait.
    @Test func aLeaseHasOneHolderUntilReleasedOrRunOut() async throws {
        let clock = TestClock<Duration>()
        let wall = WallClock.following(clock, from: WallClock.system.milliseconds())
        try await Backend.postgres.withDatabase { database in
            let store = SQLLeaseStore(database: database, clock: wall.forStores)
            let first = try await store.acquire("scraping", holder: "a", duration: 2000)
            #expect(first.holder == "a" && first.term == 1)
            #expect(try await store.acquire("scraping", holder: "b", duration: 2000).holder == "a", "held by a while it runs")
            #expect(try await store.acquire("rules", holder: "b", duration: 2000).holder == "b", "each lease on its own")
            let renewed = try await store.acquire("scraping", holder: "a", duration: 2000)
            #expect(renewed.holder == "a" && renewed.since == first.since && renewed.expires >= first.expires, "renewal keeps since")
            await clock.advance(by: .milliseconds(2100))
            let taken = try await store.acquire("scraping", holder: "b", duration: 2000)
            #expect(taken.holder == "b" && taken.term == 2, "run out: the next holder gets the next term")
            try await store.release("scraping", holder: "a")
            #expect(try await store.acquire("scraping", holder: "a", duration: 2000).holder == "b", "only the holder releases")
            try await store.release("scraping", holder: "b")
            #expect(try await store.acquire("scraping", holder: "a", duration: 2000).holder == "a", "released: free at once")
        }
    }

    @Test func withSQLiteAnEarlierRunsLeaseDoesNotHoldTheServerBack() async throws {
        try await Backend.sqlite.withDatabase { database in
            let store = SQLLeaseStore(database: database, clock: WallClock.system.forStores)
            _ = try await store.acquire("scraping", holder: "before-the-crash", duration: 60_000)
            #expect(try await store.acquire("scraping", holder: "after", duration: 60_000).holder == "after")
        }
    }

    /// Replica A's database goes away (as if its network did): A stops the job within one lease
    /// period, and B starts it after A's lease runs out, so the two never run it at once. The
    /// periods pass on the test's clock, and every time below is read from it.
    @Test func aJobRunsInOneReplicaAndMovesWhenItsHolderLosesTheDatabase() async throws {
        let url = try await TestPostgres.freshDatabase()
        let period = 1.5
        let time = DrivenClock()
        let ticks = Ticks(clock: time.wall)
        let databaseA = try await Database.open(url: url, dataDirectory: "", logger: Self.logger)
        let databaseB = try await Database.open(url: url, dataDirectory: "", logger: Self.logger)
        func replica(_ name: String, _ database: Database) -> Task<Void, any Error> {
            let job = ClusterJob("counting", Ticker(name: name, ticks: ticks))
            let service = LeasedService(
                job, store: SQLLeaseStore(database: database, clock: time.wall.forStores), replica: name, periodSeconds: period,
                clock: time.wall, logger: Self.logger)
            return Task { try await service.run() }
        }
        let a = replica("a", databaseA)
        #expect(try await waitFor { ticks.names().contains("a") }, "a takes the free lease at once")
        let b = replica("b", databaseB)
        try await time.advance(by: .milliseconds(50), upTo: .seconds(2))
        #expect(ticks.names() == ["a"], "only the holder runs the job")
        let cut = time.wall.elapsed()
        // Not awaited: closing waits for A's statements in flight, and A must cope without them.
        Task { try await databaseA.close() }
        #expect(try await time.advance(by: .milliseconds(50), upTo: .seconds(2 * period + 1)) { ticks.names().contains("b") }, "b takes over")
        let (lastA, firstB) = (ticks.last("a")!, ticks.first("b")!)
        #expect(lastA < firstB, "never both at once")
        #expect(lastA - cut < .seconds(period * 2 / 3 + 0.3), "a stops within two thirds of a period of losing the database")
        #expect(firstB - cut < .seconds(2 * period + 0.5), "b starts within two periods")
        b.cancel()
        a.cancel()
        _ = try? await a.value
        _ = try? await b.value
        try await databaseB.close()
    }
}

/// Times (on the test's clock) at which each replica's copy of the job did a round.
final class Ticks: Sendable {
    let clock: WallClock
    private let times = Mutex<[(String, Duration)]>([])
    init(clock: WallClock) { self.clock = clock }
    func add(_ name: String) { times.withLock { $0.append((name, clock.elapsed())) } }
    func names() -> Set<String> { times.withLock { Set($0.map(\.0)) } }
    func first(_ name: String) -> Duration? { times.withLock { $0.first { $0.0 == name }?.1 } }
    func last(_ name: String) -> Duration? { times.withLock { $0.last { $0.0 == name }?.1 } }
}

struct Ticker: Service {
    let name: String
    let ticks: Ticks
    func run() async throws {
        while !Task.isCancelled {
            ticks.add(name)
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
