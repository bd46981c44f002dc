import AlmanacMetrics

/// A silence: notifications for matching alerts are held back until `endsAt`. Alerts keep
/// their state and history; only people are spared. Matchers use the selector syntax over an
/// alert's labels plus `alertname` and `service`: `{alertname="DiskAlmostFull", server="off2"}`.
public struct Silence: Sendable, Equatable, Codable {
    public var id: Int64
    public var matchers: String
    public var startsAt: Int64
    public var endsAt: Int64
    public var createdBy: String
    public var comment: String
    /// When people were last reminded that this silence is still on.
    public var remindedAt: Int64?

    public init(id: Int64, matchers: String, startsAt: Int64, endsAt: Int64, createdBy: String, comment: String, remindedAt: Int64? = nil) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.remindedAt = remindedAt
    }

    /// Checks matchers before a silence is stored; a silence that matches everything is refused.
    public static func validate(matchers: String) throws(SelectorError) -> Selector {
        let selector = try Selector(matchers)
        if selector.name == nil && selector.matchers.isEmpty {
            throw SelectorError(message: "a silence needs at least one matcher")
        }
        return selector
    }

    public func isActive(at now: Int64) -> Bool { startsAt <= now && now < endsAt }

    public func matches(_ alert: Alert, service: String?) -> Bool {
        guard let selector = try? Selector(matchers) else { return false }
        return selector.matches(name: alert.rule, labels: Self.labels(alert, service: service))
    }

    /// The first of `silences` active at `now` that holds `alert` back, seeing its rule's service
    /// (from `rules`) as the alert's own: the one answer the rule service and the pages share.
    public static func silencing(_ alert: Alert, among silences: [Silence], rules: [String: AlertRule], at now: Int64) -> Silence? {
        silences.first { $0.isActive(at: now) && $0.matches(alert, service: rules[alert.rule]?.service) }
    }

    /// The labels a silence sees: the series' own, with the rule as `alertname` and its service.
    public static func labels(_ alert: Alert, service: String?) -> [Label] {
        var labels = alert.labels.filter { $0.name != "alertname" }
        labels.append(Label("alertname", alert.rule))
        if let service, !labels.contains(where: { $0.name == "service" }) { labels.append(Label("service", service)) }
        return labels
    }

    /// Whether a reminder is due: the silence has been on for `after`, and no reminder was sent
    /// in the last `after` either.
    public func reminderDue(at now: Int64, after: Int64) -> Bool {
        isActive(at: now) && now - startsAt >= after && now - (remindedAt ?? startsAt) >= after
    }
}

extension Silence {
    /// Matchers for the alerts about one host, by the scrape's `instance` label: the host as
    /// named, or, for a name without a port, the host with any port (its node_exporter's, its
    /// web server's).
    public static func matchers(host: String) -> String {
        if host.contains(":") { return "{" + Selector.Matcher.equal("instance", host).text + "}" }
        // Each regular-expression character is escaped for the pattern; quoting then escapes for the string.
        let pattern = host.map { "\\^$.|?*+()[]{}".contains($0) ? "\\" + String($0) : String($0) }.joined()
        return "{instance=~" + Selector.quoted(pattern + "(:[0-9]+)?") + "}"
    }
}
