import AlmanacOnCall
import AlmanacReporting
import Testing

@Suite struct IncidentTests {
    /// A scripted outage as the timeline records it, out of order: the draft lists it in time
    /// order with the impact from the alert's 25 minutes.
    @Test func thePostmortemDraftListsTheTimelineInOrder() {
        let minute: Int64 = 60_000
        let t0: Int64 = 1_795_000_000_000 / minute * minute
        var incident = Incident(id: "i1", title: "Search | down", service: "search", openedAt: t0, openedBy: "alert SearchDown")
        incident.events = [
            Incident.Event(at: t0, kind: .alert, text: "SearchDown fired (critical)"),
            Incident.Event(at: t0 + 10 * minute, kind: .rollback, text: "rollback of production to 3f2a9c1", by: "ana"),
            Incident.Event(at: t0 + 2 * minute, kind: .acknowledgement, text: "SearchDown acknowledged", by: "ana"),
            Incident.Event(at: t0 + 12 * minute, kind: .flag, text: "flag new-search: disable", by: "bob"),
            Incident.Event(at: t0 + 25 * minute, kind: .alert, text: "SearchDown resolved"),
        ]
        incident.resolvedAt = t0 + 30 * minute
        incident.summary = "A release broke search; rolled back."
        #expect(incident.timeline.map(\.kind) == [.alert, .acknowledgement, .rollback, .flag, .alert])
        let draft = incident.postmortem(firing: [("SearchDown", t0, t0 + 25 * minute)])
        #expect(draft.hasPrefix("---\ntitle: \"Postmortem: Search | down\"\nservice: search\n"))
        #expect(draft.contains("resolved \(ReportFormat.moment(t0 + 30 * minute, seconds: false)) (30 min)."))
        #expect(draft.contains("- SearchDown: firing 25 min"))
        let rows = draft.split(separator: "\n").filter { $0.hasPrefix("| 20") }
        #expect(rows.count == 5 && rows[1].contains("acknowledgement: SearchDown acknowledged | ana |"))
        #expect(draft.contains("## Follow-ups"))
    }
}
