import AlmanacRollout
import Foundation

/// Holding a backend host's scheduled jobs around its deploy: new runs held, running ones
/// waited for (never killed unless the job names a kill command), runs resumed afterwards.
/// Fails closed: a hold that cannot be set, or a job still running at its limit, stops the
/// rollout, and the holds already set are released so the jobs go on as before.
struct JobHolds: Sendable {
    let runner: StepRunner
    let role: Pipeline.Role
    let host: String
    /// How often a running job is looked at.
    var poll: Duration = .milliseconds(250)

    func hold() async -> StepRunner.Outcome {
        var notes: [String] = []
        var held: [Pipeline.Job] = []
        for job in role.jobs {
            let set = await runner.shell(on(holdCommand(job)), timeout: 30_000)
            guard set.ok else {
                let released = await release(held)
                let failure = "job '\(job.name)': the hold failed (exit \(set.status)): \(Self.lastLine(set.output))"
                return .init(ok: false, output: (notes + [released.output, failure]).joined(separator: "\n"))
            }
            held.append(job)
            notes.append("held new runs of '\(job.name)' (\(describe(job.hold)))")
        }
        for job in role.jobs {
            let waited = await waitForEnd(job)
            if !waited.ended {
                // The last line is what the rollout's held reason shows.
                let released = await release(held)
                return .init(ok: false, output: (notes + [released.output, waited.note + "; the holds are released"]).joined(separator: "\n"))
            }
            notes.append(waited.note)
        }
        return .init(ok: true, output: notes.joined(separator: "\n"))
    }

    func release() async -> StepRunner.Outcome { await release(role.jobs) }

    private func release(_ jobs: [Pipeline.Job]) async -> StepRunner.Outcome {
        var notes: [String] = []
        var ok = true
        for job in jobs {
            let done = await runner.shell(on(releaseCommand(job)), timeout: 30_000)
            ok = ok && done.ok
            notes.append(done.ok ? "runs of '\(job.name)' resume" : "job '\(job.name)': the release failed: \(Self.lastLine(done.output))")
        }
        return .init(ok: ok, output: notes.joined(separator: "\n"))
    }

    /// Waits until the job is not running, up to its limit; past it, runs its kill command
    /// when it has one and waits once more as long.
    private func waitForEnd(_ job: Pipeline.Job) async -> (ended: Bool, note: String) {
        let started = ContinuousClock.now
        switch await runs(job, within: job.wait) {
        case .ended(let first):
            return (true, first ? "'\(job.name)' was not running" : "waited \(Self.seconds(since: started)) for '\(job.name)' to end")
        case .unknown(let why): return (false, "job '\(job.name)': cannot tell whether it runs: \(why)")
        case .stillRunning:
            let limit = "job '\(job.name)' still runs after \(Self.seconds(milliseconds: job.wait)) (\(describe(job.running)))"
            guard let kill = job.kill else { return (false, limit + "; it is never killed unless its file names a kill command") }
            let killed = await runner.shell(on(fill(kill)), timeout: 30_000)
            guard killed.ok else { return (false, limit + "; its kill command failed: \(Self.lastLine(killed.output))") }
            if case .ended = await runs(job, within: job.wait) { return (true, limit + "; stopped it with its kill command") }
            return (false, limit + "; it still runs after its kill command")
        }
    }

    private enum Seen {
        case ended(first: Bool)
        case stillRunning
        case unknown(String)
    }

    private func runs(_ job: Pipeline.Job, within limit: Int64) async -> Seen {
        let deadline = ContinuousClock.now + .milliseconds(limit)
        var first = true
        while true {
            // Exit 0: running; 1: not running; anything else: the check itself failed.
            let check = await runner.shell(on(runningCheck(job.running)), timeout: 30_000)
            if check.ok {
                if ContinuousClock.now >= deadline { return .stillRunning }
            } else if check.status == 1 {
                return .ended(first: first)
            } else {
                return .unknown(Self.lastLine(check.output))
            }
            first = false
            do { try await Task.sleep(for: poll) } catch { return .unknown("cancelled") }
        }
    }

    /// A shell snippet that exits 0 while the job runs and 1 when it does not.
    func runningCheck(_ running: Pipeline.Job.Running) -> String {
        switch running {
        case .lockFile(let path):
            let file = Self.quote(fill(path))
            return "if [ -e \(file) ] && ! flock -n \(file) true; then exit 0; else exit 1; fi"
        case .pidFile(let path):
            let file = Self.quote(fill(path))
            return "if [ -s \(file) ] && kill -0 \"$(cat \(file))\" 2>/dev/null; then exit 0; else exit 1; fi"
        case .process(let pattern):
            // "[e]xport" matches "export" but not this check's own command line, which reads "[e]xport".
            let bracketed = "[\(pattern.prefix(1))]\(pattern.dropFirst())"
            return "if pgrep -f -- \(Self.quote(fill(bracketed))) >/dev/null; then exit 0; else exit 1; fi"
        case .command(let command):
            return "if \(fill(command)); then exit 0; else exit 1; fi"
        }
    }

    func holdCommand(_ job: Pipeline.Job) -> String {
        switch job.hold {
        case .file(let path):
            let file = Self.quote(fill(path))
            return "mkdir -p \"$(dirname \(file))\" && touch \(file)"
        case .command(let hold, _): return fill(hold)
        }
    }

    func releaseCommand(_ job: Pipeline.Job) -> String {
        switch job.hold {
        case .file(let path): return "rm -f \(Self.quote(fill(path)))"
        case .command(_, let release): return fill(release)
        }
    }

    /// The snippet as it runs on the host: through the role's `exec` prefix, or here.
    func on(_ snippet: String) -> String {
        guard let exec = role.exec else { return snippet }
        return fill(exec) + " " + Self.quote(snippet)
    }

    private func fill(_ template: String) -> String { StepRunner.fill(template, host: host, revision: "") }

    private func describe(_ hold: Pipeline.Job.Hold) -> String {
        switch hold {
        case .file(let path): return "hold file \(fill(path))"
        case .command: return "hold command"
        }
    }

    private func describe(_ running: Pipeline.Job.Running) -> String {
        switch running {
        case .lockFile(let path): return "lock \(fill(path))"
        case .pidFile(let path): return "pid file \(fill(path))"
        case .process(let pattern): return "process matching \(pattern)"
        case .command(let command): return "check \(command)"
        }
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    static func lastLine(_ output: String) -> String {
        output.split(separator: "\n").last.map(String.init) ?? "no output"
    }

    static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.1f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func seconds(milliseconds: Int64) -> String { String(format: "%.0f s", Double(milliseconds) / 1000) }
}
