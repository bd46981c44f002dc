import AlmanacConfig
import AlmanacReporting

/// The catalogue's reports in one document: the skills matrix, then every gap, each as a table
/// with a heading; Markdown, text or JSON.
public struct CatalogReport: Sendable {
    public let catalog: Catalog
    /// Service names that monitoring rules or targets mention.
    public let monitored: Set<String>
    /// Whose loss to spell out, if anyone's.
    public let absent: EntityRef?
    /// The release pipeline's roles with one host (its own file, read by the caller).
    public let singleHostRoles: [SingleHostRole]

    /// A role of a pipeline environment served by one host: each rollout of the role takes the
    /// service down for `outageSeconds` (measured in the last rollout, or the step timeouts' sum).
    public struct SingleHostRole: Sendable, Codable, Equatable {
        public var service: String?
        public var environment: String
        public var role: String
        public var host: String
        public var outageSeconds: Double
        public var measured: Bool

        public init(service: String?, environment: String, role: String, host: String, outageSeconds: Double, measured: Bool) {
            self.service = service
            self.environment = environment
            self.role = role
            self.host = host
            self.outageSeconds = outageSeconds
            self.measured = measured
        }
    }

    public init(catalog: Catalog, monitored: Set<String>, absent: EntityRef? = nil, singleHostRoles: [SingleHostRole] = []) {
        self.catalog = catalog
        self.monitored = monitored
        self.absent = absent
        self.singleHostRoles = singleHostRoles
    }

    public struct Section: Sendable {
        public var id: String
        public var title: String
        public var note: String
        public var table: ReportTable
    }

    public var sections: [Section] {
        let coverage = Coverage(catalog: catalog)
        let risks = Risks(catalog: catalog)
        let technologies = coverage.technologies
        var out = [
            Section(
                id: "skills", title: "Skills matrix", note: "E expert, P practised, L learning.",
                table: ReportTable(
                    headers: ["Person"] + technologies,
                    rows: catalog.people.map { person in
                        [person.ref.name]
                            + technologies.map { t in
                                switch person.skills[t] {
                                case .expert?: return "E"
                                case .practised?: return "P"
                                case .learning?: return "L"
                                case nil: return ""
                                }
                            }
                    })),
            Section(
                id: "thin", title: "Technologies fewer than two people can handle", note: "Practised or expert counts; learners are who to train.",
                table: ReportTable(
                    headers: ["Technology", "Can handle", "Learning", "Used by"],
                    rows: coverage.thin().map { [$0.technology, list($0.capable), list($0.learning), list($0.services)] })),
            Section(
                id: "critical-at-risk", title: "Critical services on thin technologies", note: "",
                table: ReportTable(
                    headers: ["Service", "Tier", "Technologies (people who can handle them)"],
                    rows: coverage.criticalAtRisk().map { s in
                        [s.service, s.tier.rawValue, s.thin.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")]
                    })),
            Section(
                id: "no-owner", title: "Services with nobody to call", note: "No owner, or an owning team with no members left.",
                table: ReportTable(headers: ["Service", "Owner"], rows: risks.withoutOwner.map { [$0, ownerText($0)] })),
            Section(
                id: "no-runbook", title: "Services without a runbook", note: "",
                table: ReportTable(headers: ["Service"], rows: risks.withoutRunbook.map { [$0] })),
            Section(
                id: "no-monitoring", title: "Services no rule or target watches", note: "Matched on the `service` of rules and targets.",
                table: ReportTable(headers: ["Service"], rows: risks.withoutMonitoring(monitored: monitored).map { [$0] })),
            Section(
                id: "one-server", title: "Critical services on one server", note: "",
                table: ReportTable(headers: ["Service", "Server"], rows: risks.onOneServer.map { [$0.service, $0.server] })),
            Section(
                id: "single-host-roles", title: "Pipeline roles with one host",
                note: "Each rollout of the role takes it down: measured in the last rollout, or at most the step timeouts when none went through.",
                table: ReportTable(
                    headers: ["Service", "Environment", "Role", "Host", "Down per rollout"],
                    rows: singleHostRoles.map { r in
                        let span = DurationText.span(Int64((r.outageSeconds * 1000).rounded()))
                        return [r.service ?? "", r.environment, r.role, r.host, r.measured ? "about \(span)" : "up to \(span)"]
                    })),
            Section(
                id: "peripheral-chains", title: "Critical services that depend on peripheral ones", note: "The shortest chain each.",
                table: ReportTable(headers: ["Chain"], rows: risks.peripheralChains.map { [$0.joined(separator: " → ")] })),
        ]
        if let absent {
            let loss = coverage.loss(of: absent)
            out.append(
                Section(
                    id: "loss", title: "If \(absent.name) left", note: "",
                    table: ReportTable(
                        headers: ["Nobody else can handle", "Services using them", "Owned by \(absent.name) alone"],
                        rows: [[list(loss.uncovered), list(loss.services), list(loss.owned)]])))
        }
        return out
    }

    private func list(_ items: [String]) -> String { items.isEmpty ? "nobody" : items.joined(separator: ", ") }

    private func ownerText(_ service: String) -> String {
        catalog.services.first { $0.ref.name == service }?.owner?.shortText ?? "none"
    }

    public func markdown() -> String {
        "# Who knows what\n\n"
            + sections.map { s in
                "## \(s.title)\n\n" + (s.note.isEmpty ? "" : s.note + "\n\n") + (s.table.rows.isEmpty ? "None.\n" : s.table.markdown())
            }.joined(separator: "\n")
    }

    public func text() -> String {
        sections.map { s in "\(s.title)\n\n" + (s.table.rows.isEmpty ? "none\n" : s.table.text()) }.joined(separator: "\n")
    }
}
