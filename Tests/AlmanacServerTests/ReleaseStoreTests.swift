import AlmanacRollout
import AlmanacStorage
import AlmanacTesting
import Testing

/// QA states, the rollout lock and saved rollouts, the same on SQLite and PostgreSQL.
@Suite struct ReleaseStoreTests {
    @Test(arguments: Backend.allCases)
    func qaStatesLocksAndRollouts(backend: Backend) async throws {
        try await backend.withDatabase { database in
            let store = SQLReleaseStore(database: database)
            try await store.setQA(.needsTesting, revision: "r1", actor: "ann", comment: "", at: 1)
            try await store.setQA(.ok, revision: "r1", actor: "bob", comment: "tried on staging", at: 2)
            try await store.setQA(.bad, revision: "r2", actor: "bob", comment: "breaks search", at: 3)
            #expect(try await store.qaStates(["r1", "r2", "r3"]) == ["r1": .ok, "r2": .bad])

            // One holder at a time; a lease that ran out frees the lock.
            #expect(try await store.lock(environment: "production", holder: "a", leaseUntil: 100, now: 0))
            #expect(try await store.lock(environment: "production", holder: "b", leaseUntil: 200, now: 50) == false)
            #expect(try await store.lock(environment: "production", holder: "a", leaseUntil: 150, now: 60), "the holder renews")
            #expect(try await store.lock(environment: "staging", holder: "b", leaseUntil: 200, now: 60), "each environment has its own")
            #expect(try await store.lock(environment: "production", holder: "b", leaseUntil: 300, now: 151), "a crashed holder's lease runs out")
            try await store.unlock(environment: "production", holder: "b")
            #expect(try await store.lock(environment: "production", holder: "c", leaseUntil: 400, now: 152))

            var rollout = Rollout(id: "x1", environment: "production", from: "old", to: "new", startedBy: "ann", waves: [["a"], ["b"]])
            try await store.save(rollout, at: 10)
            rollout.succeeded(rollout.next!)
            try await store.save(rollout, at: 11)
            let saved = try await store.rollouts(environment: "production")
            #expect(saved == [rollout])
            #expect(try await store.rollouts(environment: "staging").isEmpty)
            #expect(try await store.rollout(id: "x1") == rollout)
            #expect(try await store.rollout(id: "nope") == nil)
            #expect(try await store.running(environment: "production") == nil, "nothing has succeeded yet")
            while let action = rollout.next { rollout.succeeded(action) }
            rollout.advance()
            while let action = rollout.next { rollout.succeeded(action) }
            rollout.advance()
            try await store.save(rollout, at: 12)
            #expect(rollout.phase == .succeeded)
            #expect(try await store.running(environment: "production") == "new")
        }
    }
}
