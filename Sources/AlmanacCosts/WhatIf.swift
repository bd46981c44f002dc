import AlmanacConfig
import AlmanacReporting

/// A change to try before making it (`almanac report costs --what-if FILE`): the measured window
/// replayed as if services had moved, a host were retired, a replica added or stored data
/// shrunk, so today and the change compare in money and CO2e.
///
///     changes:
///       - move: {service: search, from: ovh1, to: off2}
///       - retire: {host: ovh3, move_to: ovh2}
///       - replica: {service: product-opener, host: off2}
///       - storage: {host: ovh3, kind: hdd, saved_gb: 5000}
public enum WhatIf {
    public enum Change: Sendable, Hashable {
        case move(service: String, from: String, to: String)
        case retire(host: String, moveTo: String)
        /// Another instance: the service's CPU is spread over one more host, each keeps its memory.
        case replica(service: String, host: String)
        case storage(host: String, ssd: Bool, savedGB: Double)
    }

    public static func parse(_ root: ConfigNode, model: CostModel, measurements: [HostMeasurements]) throws(ConfigError) -> [Change] {
        try root.onlyFields(["changes"])
        guard let items = root["changes"]?.elements, !items.isEmpty else { throw root.error("missing 'changes' (a list)") }
        let hosts = Set(model.hosts.map(\.name))
        func host(_ node: ConfigNode, _ key: String) throws(ConfigError) -> String {
            guard let field = node[key], let name = field.string else { throw node.error("missing '\(key)' (a host of \(CostsFile.path))") }
            guard hosts.contains(name) else { throw field.error("unknown host '\(name)' (not in \(CostsFile.path))") }
            return name
        }
        func service(_ node: ConfigNode, on host: String?) throws(ConfigError) -> String {
            guard let field = node["service"], let name = field.string else { throw node.error("missing 'service'") }
            let places = measurements.filter { $0.demands.contains { $0.service == name } }.map(\.host)
            guard !places.isEmpty else { throw field.error("unknown service '\(name)' (on none of the hosts)") }
            if let host, !places.contains(host) {
                throw field.error("'\(name)' does not run on \(host) (it runs on \(places.joined(separator: ", ")))")
            }
            return name
        }
        var changes: [Change] = []
        for item in items {
            guard let member = item.members?.first, item.members?.count == 1 else {
                throw item.error("each change is one of move, retire, replica, storage")
            }
            let node = member.value
            switch member.key {
            case "move":
                try node.onlyFields(["service", "from", "to"])
                let from = try host(node, "from")
                changes.append(.move(service: try service(node, on: from), from: from, to: try host(node, "to")))
            case "retire":
                try node.onlyFields(["host", "move_to"])
                let retired = try host(node, "host")
                let target = try host(node, "move_to")
                guard target != retired else { throw node["move_to"]!.error("must be another host than the one retired") }
                changes.append(.retire(host: retired, moveTo: target))
            case "replica":
                try node.onlyFields(["service", "host"])
                changes.append(.replica(service: try service(node, on: nil), host: try host(node, "host")))
            case "storage":
                try node.onlyFields(["host", "kind", "saved_gb"])
                guard let kind = node["kind"]?.string, kind == "ssd" || kind == "hdd" else {
                    throw (node["kind"] ?? node).error("must be ssd or hdd")
                }
                guard let saved = try ConfigNumber.read(node["saved_gb"]) else { throw node.error("missing 'saved_gb' (negative for more)") }
                changes.append(.storage(host: try host(node, "host"), ssd: kind == "ssd", savedGB: saved))
            default:
                throw item.error("unknown change '\(member.key)': each change is one of move, retire, replica, storage")
            }
        }
        return changes
    }

    /// The model and the window's measurements as they would have been with `changes`.
    public static func apply(_ changes: [Change], model: CostModel, measurements: [HostMeasurements]) -> (CostModel, [HostMeasurements]) {
        var model = model
        var byHost = Dictionary(
            uniqueKeysWithValues: model.hosts.map { host in
                (
                    host.name,
                    measurements.first { $0.host == host.name } ?? HostMeasurements(host: host.name, utilization: nil, raplKWh: nil, demands: [])
                )
            })
        let before = byHost
        for change in changes {
            switch change {
            case .move(let service, let from, let to):
                move(service, from: from, to: to, in: &byHost, model: model)
            case .retire(let host, let target):
                for demand in byHost[host]?.demands ?? [] { move(demand.service, from: host, to: target, in: &byHost, model: model) }
                let sent = byHost[host]?.networkGB ?? 0
                byHost[target]?.networkGB += sent
                byHost[host] = nil
                model.hosts.removeAll { $0.name == host }
            case .replica(let service, let host):
                let places = byHost.values.filter { $0.demands.contains { $0.service == service } }.map(\.host).sorted()
                guard !places.contains(host) else { break }
                let demands = places.compactMap { byHost[$0]?.demands.first { $0.service == service } }
                let cpu = demands.compactMap(\.cpuUsage).reduce(0, +)
                let share = cpu / Double(places.count + 1)
                for place in places { adjust(service, on: place, cpu: share - (cpuOf(service, on: place, byHost) ?? 0), in: &byHost, model: model) }
                let memory = demands.compactMap(\.memoryGB).reduce(0, +) / Double(max(demands.count, 1))
                let request = demands.first
                byHost[host]?.demands.append(
                    .init(
                        service: service, cpuRequest: request?.cpuRequest, cpuUsage: share, memoryRequestGB: request?.memoryRequestGB,
                        memoryUsageGB: memory))
                adjustUtilization(host, by: share, in: &byHost, model: model)
            case .storage(let host, let ssd, let saved):
                guard let index = model.hosts.firstIndex(where: { $0.name == host }) else { break }
                if ssd {
                    model.hosts[index].ssdTB = max(0, model.hosts[index].ssdTB - saved / 1000)
                } else {
                    model.hosts[index].hddTB = max(0, model.hosts[index].hddTB - saved / 1000)
                }
            }
        }
        // A measured host keeps its calibration: its RAPL energy scales as the estimate would.
        for (name, var after) in byHost {
            guard let rapl = after.raplKWh, let host = model.hosts.first(where: { $0.name == name }), let old = before[name] else { continue }
            let estimate = { (u: Double?) in
                HostEnergy(
                    vcpus: host.vcpus, utilization: u ?? 0, memoryGB: host.memoryGB, ssdTB: 0, hddTB: 0, networkGB: 0, hours: 1, pue: 1,
                    coefficients: model.coefficients
                ).kWh
            }
            after.raplKWh = rapl * estimate(after.utilization) / estimate(old.utilization)
            byHost[name] = after
        }
        return (model, model.hosts.compactMap { byHost[$0.name] })
    }

    static func cpuOf(_ service: String, on host: String, _ byHost: [String: HostMeasurements]) -> Double? {
        byHost[host]?.demands.first { $0.service == service }?.cpuUsage
    }

    static func move(_ service: String, from: String, to: String, in byHost: inout [String: HostMeasurements], model: CostModel) {
        guard let index = byHost[from]?.demands.firstIndex(where: { $0.service == service }), let demand = byHost[from]?.demands[index] else {
            return
        }
        byHost[from]?.demands.remove(at: index)
        adjustUtilization(from, by: -(demand.cpuUsage ?? 0), in: &byHost, model: model)
        if let existing = byHost[to]?.demands.firstIndex(where: { $0.service == service }) {
            let held = byHost[to]?.demands[existing].cpuUsage ?? 0
            byHost[to]?.demands[existing].cpuUsage = held + (demand.cpuUsage ?? 0)
        } else {
            byHost[to]?.demands.append(demand)
        }
        adjustUtilization(to, by: demand.cpuUsage ?? 0, in: &byHost, model: model)
    }

    static func adjust(_ service: String, on host: String, cpu delta: Double, in byHost: inout [String: HostMeasurements], model: CostModel) {
        guard let index = byHost[host]?.demands.firstIndex(where: { $0.service == service }) else { return }
        let held = byHost[host]?.demands[index].cpuUsage ?? 0
        byHost[host]?.demands[index].cpuUsage = max(0, held + delta)
        adjustUtilization(host, by: delta, in: &byHost, model: model)
    }

    /// Busy cores added to (or taken from) a host; a host without a CPU series stays a gap.
    static func adjustUtilization(_ host: String, by cores: Double, in byHost: inout [String: HostMeasurements], model: CostModel) {
        guard let vcpus = model.hosts.first(where: { $0.name == host })?.vcpus, let u = byHost[host]?.utilization else { return }
        byHost[host]?.utilization = min(1, max(0, u + cores / vcpus))
    }

    /// Today against the change, in money and CO2e, per service and in all.
    public static func comparison(before: CostReport, after: CostReport) -> ReportTable {
        let names = (before.services.map(\.service) + after.services.map(\.service)).reduce(into: [String]()) {
            if !$0.contains($1) { $0.append($1) }
        }
        /// `a` and `b` are (money, grams) today and with the change; nil where the service is not.
        func row(_ name: String, _ a: (money: Double, grams: Double)?, _ b: (money: Double, grams: Double)?) -> [String] {
            let signed = { (d: Double, show: (Double) -> String) in (d >= 0 ? "+" : "") + show(d) }
            return [
                name, a.map { CostReport.money($0.money) } ?? "none", b.map { CostReport.money($0.money) } ?? "none",
                signed((b?.money ?? 0) - (a?.money ?? 0), CostReport.money), a.map { CostReport.kilograms($0.grams) } ?? "none",
                b.map { CostReport.kilograms($0.grams) } ?? "none", signed((b?.grams ?? 0) - (a?.grams ?? 0), CostReport.kilograms),
            ]
        }
        let pair = { (report: CostReport, name: String) in report.services.first { $0.service == name }.map { ($0.cost, $0.grams) } }
        let total = { (report: CostReport) in (report.hosts.reduce(0) { $0 + $1.cost }, report.hosts.reduce(0) { $0 + $1.grams }) }
        return ReportTable(
            headers: [
                "Service", "Today (\(before.currency))", "With the change", "Difference", "Today kg CO2e", "With the change", "Difference",
            ],
            rows: names.map { row($0, pair(before, $0), pair(after, $0)) } + [row("all hosts", total(before), total(after))])
    }
}
