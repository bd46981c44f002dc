import AlmanacConfig

/// Reads the escalation policies of `oncall/*.yaml`:
///
/// ```yaml
/// escalations:
///   - name: infrastructure-pages
///     match: '{severity="critical"}'        # over alert labels, alertname and service
///     rotation: infrastructure
///     steps:
///       - {notify: primary, wait: 5m}       # a layer of the rotation
///       - {notify: volunteers, wait: 10m}
///       - {notify: team, wait: 15m}         # everyone in the rotation's team
///     repeat: 2                             # the steps twice more if nobody acknowledges
///     acknowledgement_lasts: 4h             # then a forgotten alert starts over
///     receivers: [ops]                      # notifications.yaml receivers that get every step too
/// ```
public enum EscalationFile {
    public static func parse(_ root: ConfigNode, rotations: [Rotation]) throws(ConfigError) -> [EscalationPolicy] {
        guard let items = root["escalations"]?.elements else { return [] }
        var policies: [EscalationPolicy] = []
        for item in items {
            try item.onlyFields(["name", "match", "rotation", "steps", "repeat", "acknowledgement_lasts", "receivers"])
            guard let name = item["name"]?.string, !name.isEmpty else { throw item.error("needs 'name'") }
            guard let matchNode = item["match"], let matchers = matchNode.string, matchers.hasPrefix("{") else {
                throw item.error("needs 'match', a selector over alert labels such as {severity=\"critical\"}")
            }
            guard let rotationNode = item["rotation"], let rotationName = rotationNode.string else {
                throw item.error("needs 'rotation', the rotation whose people it notifies")
            }
            guard let rotation = rotations.first(where: { $0.name == rotationName }) else {
                throw rotationNode.error("'\(rotationName)' is not a rotation (\(rotations.map(\.name).joined(separator: ", ")))")
            }
            guard let stepNodes = item["steps"]?.elements, !stepNodes.isEmpty else {
                throw (item["steps"] ?? item).error("needs 'steps', at least one layer or the team to notify")
            }
            var steps: [EscalationPolicy.Step] = []
            for node in stepNodes {
                try node.onlyFields(["notify", "wait"])
                guard let target = node["notify"]?.string else { throw node.error("needs 'notify', a layer of \(rotationName) or team") }
                if target != "team" && !rotation.layers.contains(where: { $0.name == target }) {
                    throw (node["notify"] ?? node).error(
                        "'\(target)' is not a layer of \(rotationName) (\(rotation.layers.map(\.name).joined(separator: ", "))) nor team")
                }
                let wait = try DurationText.milliseconds(node["wait"]) ?? 5 * 60_000
                steps.append(.init(target: target == "team" ? .team : .layer(target), wait: wait))
            }
            if !steps.contains(where: { if case .layer = $0.target { true } else { false } }) {
                throw (item["steps"] ?? item).error("needs at least one layer: notifying the whole team first reaches nobody in particular")
            }
            var repeats = 0
            if let node = item["repeat"] {
                guard case .int(let n)? = node.scalar, (0...10).contains(n) else { throw node.error("must be a whole number from 0 to 10") }
                repeats = Int(n)
            }
            var receivers: [String] = []
            for node in item["receivers"]?.elements ?? [] {
                guard let receiver = node.string else { throw node.error("must name a receiver of monitoring/notifications.yaml") }
                receivers.append(receiver)
            }
            policies.append(
                EscalationPolicy(
                    name: name, matchers: matchers, rotation: rotationName, steps: steps, receivers: receivers, repeats: repeats,
                    acknowledgementLasts: try DurationText.milliseconds(item["acknowledgement_lasts"]) ?? 4 * 3_600_000, file: item.file,
                    line: item.line))
        }
        return policies
    }
}
