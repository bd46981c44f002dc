import AlmanacRuntime
import Foundation
import Synchronization
import Testing

/// Child processes off the cooperative pool, both outputs read together.
@Suite struct ProcessRunnerTests {
    @Test func largeOutputOnBothStreamsDoesNotDeadlock() async throws {
        // 1 MB on each stream: far past a pipe's 64 KB, so reading one to its end first would hang.
        let outcome = try await ProcessRunner.run([
            "sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' o; head -c 1000000 /dev/zero | tr '\\0' e >&2; exit 3",
        ])
        #expect(outcome.status == 3)
        #expect(outcome.output.count == 1_000_000 && outcome.output.allSatisfy { $0 == "o" })
        #expect(outcome.errors.count == 1_000_000 && outcome.errors.allSatisfy { $0 == "e" })
    }

    @Test func manyAtOnceDoNotHoldThePool() async throws {
        // Sixteen children, far more than the pool's threads, each waiting for a file that a
        // plain thread writes once all of them run (or after 20 s): a runner that held a pool
        // thread per child would have only a few running by then.
        let directory = NSTemporaryDirectory() + "almanac-children-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = "touch \(directory)/started-$$; while [ ! -e \(directory)/go ]; do sleep 0.05; done"
        let seen = Mutex(0)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(20)
            var started = 0
            while started < 16 && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                started = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("started-") }.count
            }
            seen.withLock { $0 = started }
            _ = FileManager.default.createFile(atPath: directory + "/go", contents: nil)
        }
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<16 { group.addTask { try await ProcessRunner.run(["sh", "-c", script]).status } }
            for try await status in group { #expect(status == 0) }
        }
        #expect(seen.withLock { $0 } == 16, "every child ran at once")
    }

    @Test func aSignalAndAMissingProgramAreReported() async throws {
        #expect(try await ProcessRunner.run(["sh", "-c", "kill -9 $$"]).status == 128 + 9)
        await #expect(throws: ProcessRunner.Failure.self) { try await ProcessRunner.run(["no-such-program-here"]) }
    }

    @Test func gitFailuresSayWhatGitSaid() async throws {
        let directory = NSTemporaryDirectory() + "almanac-not-a-repo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        await #expect {
            try await GitRepository.resolve(directory, "main")
        } throws: { error in
            "\(error)".contains("not a git repository")
        }
    }
}
