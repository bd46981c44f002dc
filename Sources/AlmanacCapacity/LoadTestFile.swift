import AlmanacConfig

/// Parses `capacity/loadtests/*.yaml`, reporting mistakes as `file:line: field: message`.
public enum LoadTestFile {
    static let fields: Set<String> = [
        "name", "service", "target", "requests", "data", "open", "closed", "timeout", "threads", "thresholds", "saturate", "usage",
    ]

    public static func parse(_ root: ConfigNode, name defaultName: String) throws(ConfigError) -> LoadTest {
        try root.onlyFields(fields)
        guard let service = root["service"]?.string, !service.isEmpty else { throw root.error("missing 'service' (a catalogue component)") }
        guard let targetNode = root["target"], let target = targetNode.string else { throw root.error("missing 'target' (http://host:port)") }
        guard target.hasPrefix("http://") || target.hasPrefix("https://") else { throw targetNode.error("must start with http:// or https://") }
        guard let requestNodes = root["requests"]?.elements, !requestNodes.isEmpty else { throw root.error("missing 'requests' (a list)") }
        var requests: [LoadTest.Request] = []
        for node in requestNodes { requests.append(try request(node, index: requests.count)) }
        let model = try self.model(root)
        var thresholds: [Threshold] = []
        if let node = root["thresholds"] {
            guard let items = node.elements else { throw node.error("must be a list such as ['p95 < 200ms', 'error_rate < 1%']") }
            for item in items {
                guard let text = item.string else { throw item.error("must be text such as 'p95 < 200ms'") }
                switch Threshold.parse(text) {
                case .success(let threshold): thresholds.append(threshold)
                case .failure(let problem): throw item.error(problem.description)
                }
            }
        }
        let threads = try integer(root["threads"]) ?? 1
        guard (1...64).contains(threads) else { throw root["threads"]!.error("must be between 1 and 64") }
        return LoadTest(
            name: root["name"]?.string ?? defaultName, file: root.file, service: service,
            target: target.hasSuffix("/") ? String(target.dropLast()) : target, requests: requests, data: root["data"]?.string, model: model,
            timeoutSeconds: Double(try DurationText.milliseconds(root["timeout"]) ?? 10_000) / 1000, threads: threads,
            thresholds: thresholds, saturation: try saturation(root["saturate"], model: model), usage: root["usage"]?.string)
    }

    static func request(_ node: ConfigNode, index: Int) throws(ConfigError) -> LoadTest.Request {
        if let url = node.string {
            return LoadTest.Request(name: url, method: "GET", url: url, headers: [], body: nil, weight: 1, assets: false, line: node.line)
        }
        try node.onlyFields(["name", "method", "url", "headers", "body", "weight", "assets"])
        guard let url = node["url"]?.string, !url.isEmpty else { throw node.error("missing 'url' (a path such as /api/search?q={{term}})") }
        let method = (node["method"]?.string ?? "GET").uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else { throw node["method"]!.error("must be an HTTP method such as GET or POST") }
        var headers: [(String, String)] = []
        if let headerNode = node["headers"] {
            guard let members = headerNode.members else { throw headerNode.error("must be a map of header names to values") }
            for member in members {
                guard let value = member.value.string ?? member.value.scalar.map({ JSONWriter.string($0) }) else {
                    throw member.value.error("must be text")
                }
                guard !member.key.contains(where: { $0 == ":" || $0 == "\n" || $0 == " " }), !value.contains("\n") else {
                    throw member.value.error("not a valid header")
                }
                headers.append((member.key, value))
            }
        }
        let weight = try integer(node["weight"]) ?? 1
        guard weight >= 1 else { throw node["weight"]!.error("must be a whole number of at least 1") }
        let body = node["body"].map { $0.string ?? JSONWriter.string($0.json) }
        var assets = false
        if let assetsNode = node["assets"] {
            guard case .bool(let value)? = assetsNode.scalar else { throw assetsNode.error("must be true or false") }
            guard method == "GET" || !value else { throw assetsNode.error("only a GET request's page has assets to fetch") }
            assets = value
        }
        return LoadTest.Request(
            name: node["name"]?.string ?? "\(method) \(url)", method: method, url: url, headers: headers, body: body, weight: weight,
            assets: assets, line: node.line)
    }

    static func model(_ root: ConfigNode) throws(ConfigError) -> LoadTest.Model {
        switch (root["open"], root["closed"]) {
        case (nil, nil): throw root.error("missing 'open' (an arrival rate) or 'closed' (a number of connections)")
        case (_?, _?): throw root["closed"]!.error("a test is 'open' or 'closed', not both")
        case (let open?, nil):
            try open.onlyFields(["rate", "duration", "stages", "connections"])
            var stages: [LoadTest.Stage] = []
            if let rate = try ConfigNumber.read(open["rate"]) {
                guard rate > 0 else { throw open["rate"]!.error("must be above 0 requests per second") }
                guard let ms = try DurationText.milliseconds(open["duration"]) else { throw open.error("missing 'duration' (such as 30s)") }
                stages.append(LoadTest.Stage(from: rate, to: rate, seconds: Double(ms) / 1000))
            }
            if let list = open["stages"] {
                guard let items = list.elements, !items.isEmpty else { throw list.error("must be a list of {rate, duration} or {to, duration}") }
                for item in items {
                    try item.onlyFields(["rate", "to", "duration"])
                    guard let ms = try DurationText.milliseconds(item["duration"]) else { throw item.error("missing 'duration'") }
                    let previous = stages.last?.to ?? 0
                    let rate = try ConfigNumber.read(item["rate"])
                    let to = try ConfigNumber.read(item["to"]) ?? rate
                    guard let to, to >= 0 else { throw item.error("needs 'rate' (constant) or 'to' (a ramp from the previous rate)") }
                    let from = item["to"] != nil ? (rate ?? previous) : to
                    stages.append(LoadTest.Stage(from: from, to: to, seconds: Double(ms) / 1000))
                }
            }
            guard !stages.isEmpty else { throw open.error("needs 'rate' and 'duration', or 'stages'") }
            guard stages.contains(where: { $0.from > 0 || $0.to > 0 }) else { throw open.error("every stage has a rate of 0") }
            let connections = try integer(open["connections"]) ?? 1000
            guard (1...100_000).contains(connections) else { throw open["connections"]!.error("must be between 1 and 100000") }
            return .open(stages: stages, connections: connections)
        case (nil, let closed?):
            try closed.onlyFields(["connections", "duration"])
            guard let connections = try integer(closed["connections"]), (1...100_000).contains(connections) else {
                throw closed.error("needs 'connections' between 1 and 100000")
            }
            guard let ms = try DurationText.milliseconds(closed["duration"]) else { throw closed.error("missing 'duration' (such as 30s)") }
            return .closed(connections: connections, seconds: Double(ms) / 1000)
        }
    }

    static func saturation(_ node: ConfigNode?, model: LoadTest.Model) throws(ConfigError) -> LoadTest.Saturation {
        let initial: Double
        if case .open(let stages, _) = model { initial = max(stages.map { max($0.from, $0.to) }.max() ?? 10, 1) } else { initial = 10 }
        guard let node else { return LoadTest.Saturation(start: initial, factor: 1.5, stepSeconds: 10, maximum: 1_000_000) }
        try node.onlyFields(["start", "factor", "step", "max"])
        let factor = try ConfigNumber.read(node["factor"]) ?? 1.5
        guard factor > 1 else { throw node["factor"]!.error("must be above 1") }
        let start = try ConfigNumber.read(node["start"]) ?? initial
        guard start > 0 else { throw node["start"]!.error("must be above 0") }
        return LoadTest.Saturation(
            start: start, factor: factor, stepSeconds: Double(try DurationText.milliseconds(node["step"]) ?? 10_000) / 1000,
            maximum: try ConfigNumber.read(node["max"]) ?? 1_000_000)
    }

    static func integer(_ node: ConfigNode?) throws(ConfigError) -> Int? {
        guard let node else { return nil }
        guard case .int(let value)? = node.scalar else { throw node.error("must be a whole number") }
        return Int(value)
    }
}
