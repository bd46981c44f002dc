import AlmanacConfig
import AlmanacOnCall
import AlmanacReporting
import Testing

/// Escalation timing worked by hand: steps at 0, 5 and 15 minutes, a round of 30 minutes
/// repeated once; an acknowledgement holds it for an hour, then it starts over.
@Suite struct EscalationTests {
    static let rotations = """
        rotations:
          - name: infra
            team: infra
            layers: [{name: primary, people: [ana]}, {name: secondary, people: [bob]}]
        escalations:
          - name: pages
            match: '{severity="critical"}'
            rotation: infra
            steps: [{notify: primary, wait: 5m}, {notify: secondary, wait: 10m}, {notify: team, wait: 15m}]
            repeat: 1
            acknowledgement_lasts: 1h
        """

    static func policy(_ yaml: String = rotations) throws -> EscalationPolicy {
        let document = try ConfigDocument.parse(yaml, file: "oncall/infra.yaml")
        let rotations = try RotationFile.parse(document, people: nil, knows: nil)
        return try #require(try EscalationFile.parse(document, rotations: rotations).first)
    }

    @Test func stepsComeAtTheirTimesRoundAfterRoundUntilAcknowledged() throws {
        let policy = try Self.policy()
        let minute: Int64 = 60_000
        var escalation = Escalation(id: "e1", alertKey: "k", policy: "pages", start: 0)
        var sent: [(Int64, Int)] = []
        for now in stride(from: Int64(0), through: 70 * minute, by: Int(minute)) {
            while case .notify(let index) = escalation.action(at: now, policy: policy) {
                sent.append((now / minute, index))
                escalation.notified(index)
            }
        }
        #expect(sent.map(\.0) == [0, 5, 15, 30, 35, 45] && sent.map(\.1) == Array(0..<6))
        #expect(policy.step(4).target == .layer("secondary") && policy.step(5).target == .team)
        #expect(escalation.action(at: 70 * minute, policy: policy) == .wait(until: nil), "both rounds done")

        // Acknowledged at minute 6: nothing until it runs out at 66, then primary again at once.
        var acknowledged = Escalation(id: "e2", alertKey: "k", policy: "pages", start: 0)
        acknowledged.notified(0)
        acknowledged.notified(1)
        acknowledged.acknowledge(by: "ana", at: 6 * minute, policy: policy)
        #expect(acknowledged.action(at: 20 * minute, policy: policy) == .wait(until: 66 * minute))
        #expect(acknowledged.action(at: 66 * minute, policy: policy) == .notify(0))
        acknowledged.notified(0)
        #expect(acknowledged.action(at: 67 * minute, policy: policy) == .wait(until: 71 * minute))
        acknowledged.resolve(at: 68 * minute)
        #expect(acknowledged.action(at: 80 * minute, policy: policy) == .wait(until: nil))
    }

    @Test func policyMistakesSayFileLineAndField() {
        func problem(_ replace: String, _ with: String) -> String {
            do {
                _ = try Self.policy(Self.rotations.replacingOccurrences(of: replace, with: with))
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(
            problem("steps: [{notify: primary, wait: 5m}, {notify: secondary, wait: 10m}, {notify: team, wait: 15m}]", "steps: [{notify: team}]")
                == "oncall/infra.yaml:9: escalations[0].steps: needs at least one layer: notifying the whole team first reaches nobody in particular")
        #expect(
            problem("steps: [{notify: primary, wait: 5m}, {notify: secondary, wait: 10m}, {notify: team, wait: 15m}]", "steps: []")
                .hasSuffix("needs 'steps', at least one layer or the team to notify"))
        #expect(problem("{notify: secondary", "{notify: tertiary").contains("'tertiary' is not a layer of infra (primary, secondary) nor team"))
        #expect(problem("rotation: infra\n    steps", "rotation: web\n    steps").contains("escalations[0].rotation: 'web' is not a rotation"))
    }
}
