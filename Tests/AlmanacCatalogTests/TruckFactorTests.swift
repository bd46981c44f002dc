import AlmanacTesting
import Foundation
import Testing

@testable import AlmanacCatalog

/// The truck factor of Avelino et al. on repositories made here with git, expected values worked
/// out by hand.
@Suite struct TruckFactorTests {
    @Test func degreeOfAuthorshipFormula() {
        // Creator with 3 deliveries and 2 changes by others: 3.293 + 1.098 + 0.492 - 0.321 ln 3.
        #expect(abs(TruckFactor.degreeOfAuthorship(firstAuthorship: true, deliveries: 3, acceptances: 2) - 4.530345) < 1e-6)
        #expect(TruckFactor.degreeOfAuthorship(firstAuthorship: false, deliveries: 0, acceptances: 0) == 3.293)
        #expect(abs(TruckFactor.degreeOfAuthorship(firstAuthorship: false, deliveries: 1, acceptances: 4) - 2.940370) < 1e-6)
    }

    /// A repository from steps of (author, files written, files removed).
    static func repository(_ steps: [(String, [String], [String])]) async throws -> String {
        let directory = try await GitFixture.repository()
        for (index, (author, written, removed)) in steps.enumerated() {
            let files = Dictionary(uniqueKeysWithValues: written.map { ($0, "\(author) \(index)\n") })
            try await GitFixture.commit(directory, author: author, message: "step \(index)", files: files, removed: removed)
        }
        return directory
    }

    static func estimate(_ directory: String) async throws -> (TruckFactor, Int, [String]) {
        let log = try await GitFixture.git(directory, ["log", "--reverse", "--no-renames", "--no-merges", "--format=%x1e%aN", "--name-status"])
        let tf = TruckFactor(commits: TruckFactor.parseLog(log))
        let (factor, removed) = tf.estimate()
        return (tf, factor, removed)
    }

    @Test func oneAuthorOfEverythingIsATruckFactorOfOne() async throws {
        let (tf, factor, removed) = try await Self.estimate(
            try await Self.repository([
                ("ann", ["a", "b", "c", "d"], []), ("bob", ["a"], []),
            ]))
        // a: ann created it (DOA 3.293 + 1.098 + 0.164 - 0.321 ln 2 = 4.3325); bob changed it once
        // after her (3.293 + 0.164 - 0.321 ln 2 = 3.2345, below 3.293): not an author.
        #expect(tf.authors(of: "a") == ["ann"])
        #expect(abs(tf.degrees(of: "a")["bob"]! - 3.234500) < 1e-4)
        #expect(tf.authors(of: "b") == ["ann"])
        // Without ann only a keeps an author: 1 of 4 files, fewer than half.
        #expect(factor == 1 && removed == ["ann"])
    }

    @Test func twoOwnersOfHalfEachAndADeletedFile() async throws {
        let (tf, factor, removed) = try await Self.estimate(
            try await Self.repository([
                ("ann", ["a1", "a2", "gone"], []), ("bob", ["b1", "b2"], []), ("cy", ["c1"], ["gone"]),
                ("ann", ["a1"], []), ("ann", ["a1"], []), ("cy", ["a1"], []),
            ]))
        // gone was deleted: 5 files. a1: ann 3 deliveries and creator (3.293 + 1.098 + 0.492 - 0.321 ln 2 = 4.6605);
        // cy one change (3.293 + 0.164 - 0.321 ln 4 = 3.0120 < 3.293): not an author.
        #expect(tf.files.keys.sorted() == ["a1", "a2", "b1", "b2", "c1"])
        #expect(tf.authors(of: "a1") == ["ann"])
        // Authors: ann of 2, bob of 2, cy of 1. Remove ann: b1, b2, c1 left (3 of 5, at least half);
        // remove bob: c1 left (1 of 5): the truck factor is 2.
        #expect(factor == 2 && removed == ["ann", "bob"])
    }

    @Test func emptyRepositoryHasNoTruckFactor() {
        #expect(TruckFactor(commits: []).estimate().factor == 0)
    }
}
