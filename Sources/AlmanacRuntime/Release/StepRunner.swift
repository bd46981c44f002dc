import AlmanacRollout
import AsyncHTTPClient
import Foundation
import NIOCore

/// Runs one rollout step on one host: shell templates with `{host}` and `{revision}` filled in,
/// each under a timeout, and the health check (an HTTP URL answering 200 and reporting the
/// revision, or a command whose output holds it).
struct StepRunner: Sendable {
    let pipeline: Pipeline
    /// Where the hosts' roles come from (their commands and jobs); nil for checks outside a rollout.
    var environment: Pipeline.Environment?
    let client: HTTPClient = Self.probes

    init(pipeline: Pipeline, environment: Pipeline.Environment? = nil) {
        self.pipeline = pipeline
        self.environment = environment
    }

    /// A client that fails at once on a refused connection: the shared one retries connecting
    /// with growing pauses until the request's deadline, so a host that is down (or starting)
    /// held each check and each drift round for the whole timeout.
    static let probes: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    struct Outcome {
        var ok: Bool
        var output: String
        /// The revision the host reported, for checks.
        var reported: String?
        /// The command's exit status.
        var status: Int32 = 0
    }

    static func fill(_ template: String, host: String, revision: String) -> String {
        template.replacingOccurrences(of: "{host}", with: host).replacingOccurrences(of: "{revision}", with: revision)
    }

    func run(_ action: Rollout.Action) async -> Outcome {
        let commands = environment.map { pipeline.commands(host: action.host, in: $0) } ?? pipeline.commands
        let role = environment?.role(of: action.host).flatMap(pipeline.role)
        switch action.step {
        case .hold, .release:
            guard let role, !role.jobs.isEmpty else { return Outcome(ok: true, output: "") }
            let holds = JobHolds(runner: self, role: role, host: action.host)
            return action.step == .hold ? await holds.hold() : await holds.release()
        case .cleanup:
            return await shell(commands.cleanup.map { Self.fill($0, host: action.host, revision: action.revision) }, timeout: pipeline.deployTimeout)
        case .drain:
            return await shell(commands.drain.map { Self.fill($0, host: action.host, revision: action.revision) }, timeout: pipeline.drainTimeout)
        case .undrain:
            return await shell(commands.undrain.map { Self.fill($0, host: action.host, revision: action.revision) }, timeout: pipeline.drainTimeout)
        case .deploy: return await shell(Self.fill(commands.deploy, host: action.host, revision: action.revision), timeout: pipeline.deployTimeout)
        case .check: return await check(Self.fill(commands.health, host: action.host, revision: action.revision), expected: action.revision)
        }
    }

    /// Runs `command` with `sh -c` under coreutils' `timeout`, which kills the whole command
    /// (ssh and all) when time is up; a missing command (no drain configured) succeeds.
    func shell(_ command: String?, timeout: Int64) async -> Outcome {
        guard let command else { return Outcome(ok: true, output: "") }
        let path = NSTemporaryDirectory() + "almanac-step-" + UUID().uuidString
        let status: Int32
        do {
            status = try await ProcessRunner.run(
                ["timeout", "--kill-after=2", String(format: "%.3f", Double(timeout) / 1000), "bash", "-c", Self.closeInherited, "step", command],
                outputFile: path, directory: pipeline.directory)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            return Outcome(ok: false, output: "could not start the command: \(error)")
        }
        let data = FileManager.default.contents(atPath: path) ?? Data()
        try? FileManager.default.removeItem(atPath: path)
        var output = String(decoding: data.count > 16_384 ? data.suffix(16_384) : data, as: UTF8.self)
        if status == 124 || status == 137 { output += "\n(timed out after \(Double(timeout) / 1000) s)" }
        return Outcome(ok: status == 0, output: output, status: status)
    }

    /// A deploy that starts a server in the background must not hand it descriptors this server
    /// holds and keep them alive. bash (dash takes one-digit descriptors only) closes every
    /// descriptor above stderr, then hands the command to `sh`.
    static let closeInherited = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-"; done; exec sh -c "$1""#

    /// Polls the health check every interval until it reports `expected` or the timeout passes.
    func check(_ target: String, expected: String) async -> Outcome {
        let deadline = ContinuousClock.now + .milliseconds(pipeline.healthTimeout)
        var last = Outcome(ok: false, output: "no answer")
        while true {
            last = await checkOnce(target, expected: expected)
            if last.ok || ContinuousClock.now >= deadline { return last }
            do { try await Task.sleep(for: .milliseconds(pipeline.healthInterval)) } catch { return last }
        }
    }

    /// Asks the host what it runs: an HTTP answer (status 200, body and X-Revision) or a
    /// command's output.
    func probe(_ target: String) async -> Outcome {
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else { return await shell(target, timeout: pipeline.healthTimeout) }
        do {
            let response = try await client.execute(HTTPClientRequest(url: target), timeout: .milliseconds(min(pipeline.healthTimeout, 10_000)))
            let body = String(buffer: try await response.body.collect(upTo: 64 * 1024))
            guard response.status == .ok else { return Outcome(ok: false, output: "HTTP \(response.status.code): \(body.prefix(200))") }
            return Outcome(ok: true, output: (response.headers.first(name: "X-Revision") ?? "") + " " + body)
        } catch {
            return Outcome(ok: false, output: "\(error)")
        }
    }

    /// Hex words of at least 7 characters: the revisions a host's answer names.
    static func revisions(in output: String) -> [String] {
        output.split(whereSeparator: { !$0.isHexDigit }).map(String.init).filter { $0.count >= 7 }
    }

    func checkOnce(_ target: String, expected: String) async -> Outcome {
        let answer = await probe(target)
        guard answer.ok else { return answer }
        // The host must name the revision it runs, in full or as a short hash.
        let words = Self.revisions(in: answer.output)
        guard words.contains(where: { expected.hasPrefix($0) || $0.hasPrefix(expected) }) else {
            return Outcome(ok: false, output: "reports revision \(words.first ?? "none"), expected \(expected.prefix(12))", reported: words.first)
        }
        return Outcome(ok: true, output: String(answer.output.prefix(200)), reported: expected)
    }

    /// What a host reports running, if it answers.
    func reported(host: String) async -> String? {
        let health = environment.map { pipeline.commands(host: host, in: $0) }?.health ?? pipeline.commands.health
        let answer = await probe(Self.fill(health, host: host, revision: ""))
        return answer.ok ? Self.revisions(in: answer.output).first : nil
    }
}
