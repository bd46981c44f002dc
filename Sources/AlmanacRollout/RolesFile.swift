import AlmanacConfig

/// The `roles:` part of `pipeline/pipeline.yaml` and an environment's hosts by role.
enum RolesFile {
    static let roleFields: Set<String> = ["name", "commands", "waves", "jobs", "exec"]
    static let jobFields: Set<String> = ["name", "schedule", "running", "hold", "wait", "kill"]

    static func roles(_ node: ConfigNode?, defaults: Pipeline.Commands) throws(ConfigError) -> [Pipeline.Role] {
        guard let node else { return [] }
        guard let items = node.elements, !items.isEmpty else { throw node.error("a list of roles (name, commands, waves, jobs)") }
        var roles: [Pipeline.Role] = []
        for item in items {
            try PipelineFile.unknown(item, roleFields)
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("missing 'name'") }
            if roles.contains(where: { $0.name == name }) { throw item["name"]!.error("a second role named '\(name)'") }
            var commands = defaults
            if let given = item["commands"] {
                try PipelineFile.unknown(given, ["deploy", "health", "drain", "undrain", "cleanup"])
                commands.deploy = given["deploy"]?.string ?? commands.deploy
                commands.health = given["health"]?.string ?? commands.health
                commands.drain = given["drain"]?.string ?? commands.drain
                commands.undrain = given["undrain"]?.string ?? commands.undrain
                commands.cleanup = given["cleanup"]?.string
                if (given["drain"] == nil) != (given["undrain"] == nil) { throw given.error("drain and undrain go together") }
            }
            var jobs: [Pipeline.Job] = []
            for job in item["jobs"]?.elements ?? [] {
                let parsed = try self.job(job)
                if jobs.contains(where: { $0.name == parsed.name }) { throw job["name"]!.error("a second job named '\(parsed.name)'") }
                jobs.append(parsed)
            }
            if let jobsNode = item["jobs"], jobsNode.elements == nil { throw jobsNode.error("a list of jobs") }
            roles.append(
                Pipeline.Role(
                    name: name, commands: commands, waves: try PipelineFile.waves(item["waves"]), jobs: jobs, exec: item["exec"]?.string,
                    line: item.line))
        }
        return roles
    }

    static func job(_ node: ConfigNode) throws(ConfigError) -> Pipeline.Job {
        try PipelineFile.unknown(node, jobFields)
        guard let name = node["name"]?.string, !name.isEmpty else { throw node.error("missing 'name'") }
        guard let runningNode = node["running"] else {
            throw node.error("missing 'running' (lock_file, pid_file, process or command: how to see that a run is under way)")
        }
        try PipelineFile.unknown(runningNode, ["lock_file", "pid_file", "process", "command"])
        let running: Pipeline.Job.Running
        switch (runningNode["lock_file"]?.string, runningNode["pid_file"]?.string, runningNode["process"]?.string, runningNode["command"]?.string) {
        case (let path?, nil, nil, nil): running = .lockFile(path)
        case (nil, let path?, nil, nil): running = .pidFile(path)
        case (nil, nil, let pattern?, nil):
            // The first character is put in brackets so the check's own command line never matches.
            guard let first = pattern.first, first.isLetter || first.isNumber || first == "/" else {
                throw runningNode["process"]!.error("a process pattern starts with a letter, a digit or /")
            }
            running = .process(pattern)
        case (nil, nil, nil, let command?): running = .command(command)
        default: throw runningNode.error("exactly one of lock_file, pid_file, process or command")
        }
        guard let holdNode = node["hold"] else { throw node.error("missing 'hold' (file, or command with release: how new runs wait)") }
        try PipelineFile.unknown(holdNode, ["file", "command", "release"])
        let hold: Pipeline.Job.Hold
        switch (holdNode["file"]?.string, holdNode["command"]?.string, holdNode["release"]?.string) {
        case (let path?, nil, nil): hold = .file(path)
        case (nil, let command?, let release?): hold = .command(hold: command, release: release)
        case (nil, _?, nil): throw holdNode.error("a hold command needs its release command")
        default: throw holdNode.error("either file, or command with release")
        }
        let wait = try DurationText.milliseconds(node["wait"]) ?? 300_000
        return Pipeline.Job(
            name: name, schedule: node["schedule"]?.string, running: running, hold: hold, wait: wait, kill: node["kill"]?.string, line: node.line)
    }

    /// An environment's `hosts:` as a mapping of role to hosts (every role declared).
    static func hostsByRole(_ node: ConfigNode, roles: [Pipeline.Role]) throws(ConfigError) -> [String: [String]] {
        guard let members = node.members else {
            throw node.error("with roles, hosts are a mapping of role to hosts (\(roles.map { "\($0.name): [...]" }.joined(separator: ", ")))")
        }
        var out: [String: [String]] = [:]
        for member in members {
            guard roles.contains(where: { $0.name == member.key }) else {
                throw member.value.error("unknown role '\(member.key)' (roles: \(roles.map(\.name).joined(separator: ", ")))")
            }
            out[member.key] = try PipelineFile.hostList(member.value)
        }
        return out
    }

    static func database(_ node: ConfigNode?) throws(ConfigError) -> Pipeline.DatabaseSettings? {
        guard let node else { return nil }
        try PipelineFile.unknown(node, ["patches", "sqitch", "lock_timeout", "retries", "window"])
        let sqitch = node["sqitch"] != nil
        guard let folder = (node["patches"] ?? node["sqitch"])?.string, !folder.isEmpty, !folder.hasPrefix("/"), !folder.contains(".."),
            node["patches"] == nil || node["sqitch"] == nil
        else {
            throw node.error(
                "either 'patches' (a folder of NNNN-name.sql files) or 'sqitch' (a sqitch project's folder), inside the config repository")
        }
        var settings = Pipeline.DatabaseSettings(patches: folder)
        settings.sqitch = sqitch
        settings.lockTimeout = try DurationText.milliseconds(node["lock_timeout"]) ?? settings.lockTimeout
        if let retries = node["retries"] {
            guard case .int(let n)? = retries.scalar, (0...100).contains(n) else { throw retries.error("a number of retries, 0 to 100") }
            settings.retries = Int(n)
        }
        if let window = node["window"] {
            try PipelineFile.unknown(window, ["start", "end"])
            guard let start = window["start"]?.string, let end = window["end"]?.string else {
                throw window.error("start and end: the commands that open and close the window")
            }
            (settings.windowStart, settings.windowEnd) = (start, end)
        }
        return settings
    }
}
