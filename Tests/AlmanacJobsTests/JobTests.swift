import AlmanacConfig
import AlmanacJobs
import Testing

/// `jobs/*.yaml` with its mistakes named by line, and what the pings of a job make of it.
@Suite struct JobTests {
    static let uuid = "5b1f7c5e-2f0a-4d6e-9c1a-1f2e3d4c5b6a"

    static func parse(_ job: String, hosts: Set<String>? = ["off2"]) throws(ConfigError) -> [Job] {
        let text = "jobs:\n" + job.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
        return try JobFile.parse(try ConfigDocument.parse(text, file: "jobs/off2.yaml"), hosts: hosts)
    }

    static func errors(_ job: String) -> String? {
        do { _ = try parse(job) } catch { return error.description }
        return nil
    }

    static let export = """
        - name: nightly-export
          service: product-opener
          host: off2
          schedule: "0 3 * * *"
          zone: Europe/Paris
          grace: 30m
          expected: 1h
          maximum: 3h
          uuid: \(uuid)
        """

    @Test func aJobLoads() throws {
        let job = try #require(try Self.parse(Self.export).first)
        #expect(job.slug == "nightly-export" && job.grace == 1_800_000 && job.maximum == 10_800_000 && job.line == 2)
        // Due at 03:00 in Paris: 02:00 UTC in winter.
        let due = try #require(job.due(after: 1_796_000_000_000))
        #expect(due % 86_400_000 == 2 * 3_600_000)
    }

    @Test func mistakesAreNamedByLine() {
        #expect(
            Self.errors(Self.export.replacingOccurrences(of: "host: off2", with: "host: off9"))
                == "jobs/off2.yaml:4: jobs[0].host: 'off9' is not a host of the catalogue")
        #expect(
            Self.errors(Self.export.replacingOccurrences(of: "0 3 * * *", with: "0 3 30 2 *"))
                == "jobs/off2.yaml:5: jobs[0].schedule: Bad day-of-month in \"0 3 30 2 *\"")
        #expect(
            Self.errors(Self.export.replacingOccurrences(of: "Europe/Paris", with: "Europe/Atlantis"))
                == "jobs/off2.yaml:6: jobs[0].zone: Unknown time zone Europe/Atlantis")
        #expect(
            Self.errors(Self.export.replacingOccurrences(of: "maximum: 3h", with: "maximum: 30m"))
                == "jobs/off2.yaml:9: jobs[0].maximum: shorter than 'expected'")
        #expect(
            Self.errors(Self.export.replacingOccurrences(of: Self.uuid, with: "not-a-uuid"))?.hasSuffix(
                "jobs[0].uuid: a UUID, such as 5b1f7c5e-2f0a-4d6e-9c1a-1f2e3d4c5b6a") == true)
    }

    static func every(_ minutes: Int64, grace: Int64 = 30_000, maximum: Int64? = nil) throws -> Job {
        var job = try #require(try parse(Self.export).first)
        job.schedule = .period(minutes * 60_000)
        job.grace = grace
        job.maximum = maximum
        job.expected = nil
        return job
    }

    @Test func lateThenDownThenUpAgain() throws {
        let job = try Self.every(1)
        let pings = [Ping(at: 0, kind: .success)]
        #expect(JobStatus.evaluate(job, pings: [], now: 0).state == .new)
        #expect(JobStatus.evaluate(job, pings: pings, now: 59_000).state == .up)
        #expect(JobStatus.evaluate(job, pings: pings, now: 70_000).state == .late)
        let down = JobStatus.evaluate(job, pings: pings, now: 90_001)
        #expect(down.state == .down && down.problems == [.missed(dueAt: 60_000)], "a minute and its 30 s grace after the last ping")
        #expect(JobStatus.evaluate(job, pings: pings + [Ping(at: 95_000, kind: .success)], now: 96_000).state == .up)
    }

    @Test func failuresStartsAndRunIds() throws {
        let job = try Self.every(60, grace: 600_000, maximum: 1_800_000)
        #expect(JobStatus.evaluate(job, pings: [Ping(at: 0, kind: .fail)], now: 1).problems == [.failed(exitStatus: nil)])
        #expect(JobStatus.evaluate(job, pings: [Ping(at: 0, kind: .success, exitStatus: 3)], now: 1).problems == [.failed(exitStatus: 3)])
        let started = [Ping(at: 0, kind: .start), Ping(at: 60_000, kind: .log)]
        #expect(JobStatus.evaluate(job, pings: started, now: 60_000).state == .running)
        // Past its maximum it runs too long; once the next run was due and its grace passed, it never finished.
        #expect(JobStatus.evaluate(job, pings: started, now: 1_800_001).problems == [.runningTooLong(startedAt: 0)])
        #expect(JobStatus.evaluate(job, pings: started, now: 4_200_001).problems == [.neverFinished(startedAt: 0)])
        let done = JobStatus.evaluate(job, pings: started + [Ping(at: 1_200_000, kind: .success)], now: 1_300_000)
        #expect(done.state == .up && done.lastDuration == 1_200_000 && done.lastSuccess == 1_200_000)
        let overlapping = [Ping(at: 0, kind: .start, rid: "a"), Ping(at: 10, kind: .start, rid: "b"), Ping(at: 20, kind: .success, rid: "a")]
        let both = JobStatus.evaluate(job, pings: overlapping, now: 30)
        #expect(both.state == .running && both.problems == [.overlapping(at: 10)] && both.lastDuration == 20)
    }
}
