import AlmanacConfig

/// One job of `jobs/*.yaml`: where and when it runs, how long it may take, and how it reports.
public struct Job: Sendable {
    public enum Schedule: Sendable {
        case cron(CronSchedule, expression: String)
        /// Every so many milliseconds, counted from the last ping (Healthchecks' "simple" schedule).
        case period(Int64)
    }

    public var name: String
    /// The catalogue component the job belongs to, and the host it runs on.
    public var service: String
    public var host: String
    public var schedule: Schedule
    /// How long after it is due a ping may still come before the job counts as late.
    public var grace: Int64
    /// How long a run usually takes, and the most it may take.
    public var expected: Int64?
    public var maximum: Int64?
    /// Its ping URL's key (`/ping/<uuid>`) and its slug (`/ping/<ping key>/<slug>`).
    public var uuid: String
    public var slug: String
    public var file: String
    public var line: Int

    /// When the job is next due after `instant` (ms): the schedule's next fire time, or one period on.
    public func due(after instant: Int64) -> Int64? {
        switch schedule {
        case .period(let every): return instant + every
        case .cron(let cron, _):
            // Fire times are whole seconds; the next one strictly after the instant.
            return cron.next(after: (instant >= 0 ? instant : instant - 999) / 1000, count: 1).first.map { $0 * 1000 }
        }
    }
}

/// Reads `jobs/*.yaml`: each mistake named by file, line and field.
public enum JobFile {
    static let fields: Set<String> = ["name", "service", "host", "schedule", "period", "zone", "grace", "expected", "maximum", "uuid", "slug"]

    /// `hosts`: the catalogue's hosts (a job on another is an error); nil skips that check.
    public static func parse(_ root: ConfigNode, hosts: Set<String>?) throws(ConfigError) -> [Job] {
        guard let items = root["jobs"]?.elements else { throw root.error("missing 'jobs' (a list)") }
        var jobs: [Job] = []
        for item in items {
            let job = try parseJob(item, hosts: hosts)
            if let other = jobs.first(where: { $0.name == job.name || $0.uuid == job.uuid }) {
                throw item.error(other.name == job.name ? "a second job named '\(job.name)'" : "uuid \(job.uuid) is also \(other.name)'s")
            }
            jobs.append(job)
        }
        return jobs
    }

    static func parseJob(_ node: ConfigNode, hosts: Set<String>?) throws(ConfigError) -> Job {
        try node.onlyFields(fields)
        func text(_ field: String) throws(ConfigError) -> String {
            guard let value = node[field]?.string, !value.isEmpty else { throw node.error("missing '\(field)'") }
            return value
        }
        let name = try text("name")
        let host = try text("host")
        if let hosts, !hosts.contains(host) { throw node["host"]!.error("'\(host)' is not a host of the catalogue") }
        let schedule: Job.Schedule
        switch (node["schedule"], node["period"]) {
        case (let cron?, nil):
            let zoneName = node["zone"]?.string ?? "UTC"
            let zone: Zone
            do { zone = try Zone(identifier: zoneName) } catch { throw (node["zone"] ?? node).error(error.message) }
            guard let expression = cron.string else { throw cron.error("a cron expression, such as \"0 3 * * *\"") }
            let parsed: CronSchedule
            do { parsed = try CronSchedule(expression, zone: zone) } catch { throw cron.error("\(error.message) in \"\(expression)\"") }
            // Over 50 years from 2026 a schedule that fires at all has fired.
            if parsed.next(after: 1_767_225_600, count: 1).isEmpty { throw cron.error("\"\(expression)\" never fires") }
            schedule = .cron(parsed, expression: expression)
        case (nil, let period?):
            if let zone = node["zone"] { throw zone.error("a period needs no time zone") }
            schedule = .period(try DurationText.milliseconds(period) ?? 0)
        case (.some, .some): throw node.error("either 'schedule' or 'period', not both")
        case (nil, nil): throw node.error("missing 'schedule' (a cron expression) or 'period' (such as 1h)")
        }
        let expected = try DurationText.milliseconds(node["expected"])
        let maximum = try DurationText.milliseconds(node["maximum"])
        if let expected, let maximum, maximum < expected { throw node["maximum"]!.error("shorter than 'expected'") }
        let uuid = try text("uuid").lowercased()
        guard Self.isUUID(uuid) else { throw node["uuid"]!.error("a UUID, such as 5b1f7c5e-2f0a-4d6e-9c1a-1f2e3d4c5b6a") }
        let slug = node["slug"]?.string ?? name
        guard !slug.isEmpty, slug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw (node["slug"] ?? node["name"]!).error("a slug of a-z, 0-9, '-' and '_', as Healthchecks has them")
        }
        return Job(
            name: name, service: try text("service"), host: host, schedule: schedule, grace: try DurationText.milliseconds(node["grace"]) ?? 60_000,
            expected: expected, maximum: maximum, uuid: uuid, slug: slug, file: node.file, line: node.line)
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
