import AlmanacAlerts
import AlmanacOnCall
import AlmanacReporting
import Foundation

/// One escalation step's messages: to each person it reaches (e-mail, ntfy push, their webhook)
/// and to the policy's receivers, every one with the acknowledgement link.
extension EscalationRunner {
    /// What a webhook gets for a step.
    struct StepPayload: Encodable {
        var escalation, policy, alert, target: String
        var step, round: Int
        var people: [String]
        var acknowledgeURL: String
        var text: String
    }

    /// ntfy's JSON publishing (POST to the server's root with the topic inside).
    struct PushPayload: Encodable {
        struct Action: Encodable {
            var action = "view"
            var label = "Acknowledge"
            var url: String
        }
        var topic, title, message, click: String
        var actions: [Action]
    }

    func step(
        _ index: Int, of escalation: Escalation, policy: EscalationPolicy, oncall: OnCallFiles, now: Int64
    ) throws -> (people: [String], messages: [(receiver: String, url: String, payload: String)]) {
        guard let rotation = oncall.rotations.first(where: { $0.name == policy.rotation }) else { return ([], []) }
        let target = policy.step(index).target
        let people: [String]
        switch target {
        case .layer(let layer):
            people = rotation.onCall(at: now, available: oncall.available(in: rotation)).filter { $0.layer == layer }.map(\.person)
        case .team:
            people = oncall.teams[rotation.team] ?? []
        }
        let acknowledge = externalURL + "/ack/" + escalation.link
        let round = index / policy.steps.count + 1
        let what = "step \(index % policy.steps.count + 1) of \(policy.steps.count), round \(round) of \(policy.repeats + 1)"
        let subject = "[Almanac] \(escalation.title)"
        let text = """
            \(escalation.title)
            Escalation \(policy.name), \(what): \(Self.target(target)), \(people.isEmpty ? "nobody on call" : people.joined(separator: ", ")).
            Acknowledge (stops the escalation for \(policy.acknowledgementLasts / 60_000) minutes): \(acknowledge)
            """
        let e = HTML.escape
        let html = """
            <!doctype html><html><body style="font-family:sans-serif"><h2>\(e(escalation.title))</h2>
            <p>Escalation \(e(policy.name)), \(e(what)): \(e(Self.target(target))), \(e(people.isEmpty ? "nobody on call" : people.joined(separator: ", "))).</p>
            <p><a href="\(e(acknowledge))" style="display:inline-block;padding:10px 18px;background:#23313f;color:#fff;border-radius:4px;\
            text-decoration:none">Acknowledge</a> (stops the escalation for \(policy.acknowledgementLasts / 60_000) minutes)</p></body></html>
            """
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let hook = try json(
            StepPayload(
                escalation: escalation.id, policy: policy.name, alert: escalation.title, target: Self.target(target), step: index, round: round,
                people: people, acknowledgeURL: acknowledge, text: text))
        var messages: [(receiver: String, url: String, payload: String)] = []
        for person in people {
            guard let contact = oncall.contacts[person] else { continue }
            if let address = contact.email, let email = oncall.email {
                let message = SMTPClient.Message(from: email.from, to: [address], subject: subject, text: text, html: html)
                messages.append(("email:\(person)", email.relay, String(decoding: try JSONEncoder().encode(message), as: UTF8.self)))
            }
            if let topic = contact.ntfy.flatMap(URLComponents.init(string:)), let name = topic.path.split(separator: "/").last {
                var server = topic
                server.path = "/"
                let push = PushPayload(topic: String(name), title: subject, message: text, click: acknowledge, actions: [.init(url: acknowledge)])
                messages.append(("ntfy:\(person)", server.string ?? "", try json(push)))
            }
            if let webhook = contact.webhook { messages.append(("webhook:\(person)", webhook, hook)) }
            if !contact.isReachable { logger.warning("a person on call has no way to be reached", metadata: ["person": "\(person)"]) }
        }
        for name in policy.receivers {
            guard let receiver = monitoring.current.receivers.first(where: { $0.name == name }) else {
                logger.warning("an escalation names a receiver notifications.yaml does not have", metadata: ["receiver": "\(name)"])
                continue
            }
            switch receiver.kind {
            case .webhook: messages.append((receiver.name, receiver.url, hook))
            case .slack: messages.append((receiver.name, receiver.url, try json(["text": text])))
            case .alertmanager: continue
            }
        }
        return (people, messages)
    }
}
