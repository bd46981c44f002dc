import AlmanacConfig
import AlmanacOnCall
import AlmanacReporting
import Foundation
import Testing

/// Golden cases worked by hand: each shift's start and end written in UTC.
@Suite struct RotationTests {
    static func at(_ text: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000) }
    static let people: Set<String> = ["ana", "bob", "cy"]

    static func parse(_ yaml: String) throws -> [Rotation] {
        try RotationFile.parse(
            try ConfigDocument.parse(yaml, file: "oncall/team.yaml"), people: { $0 == "infra" ? ["bob", "ana"] : nil },
            knows: { people.contains($0) })
    }

    static func spans(_ shifts: [Shift]) -> [String] {
        shifts.map {
            "\($0.person) \($0.kind.rawValue) \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0.span.start) / 1000)))"
                + "–\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0.span.end) / 1000)))"
        }
    }

    /// Mondays 09:00 in Paris: the week across the end of summer time (25 October 2026) is
    /// 169 hours long, from 07:00Z (UTC+2) to 08:00Z (UTC+1); an override takes a day out of it.
    @Test func aWeeklyHandOffKeepsItsLocalTimeAcrossDaylightSavingAndAnOverrideTakesItsSpan() throws {
        let rotation = try #require(
            try Self.parse(
                """
                rotations:
                  - name: infra
                    team: infra
                    zone: Europe/Paris
                    layers:
                      - {name: primary, people: [ana, bob], start: "2026-10-19T09:00", handoff: 1w}
                    overrides:
                      - {person: cy, start: "2026-10-21T12:00", end: "2026-10-22T12:00", reason: dentist swap}
                """
            ).first)
        let shifts = rotation.shifts(from: Self.at("2026-10-19T07:00:00Z"), to: Self.at("2026-11-02T08:00:00Z"), available: { _ in nil })
        #expect(
            Self.spans(shifts) == [
                "ana regular 2026-10-19T07:00:00Z–2026-10-21T10:00:00Z", "cy override 2026-10-21T10:00:00Z–2026-10-22T10:00:00Z",
                "ana regular 2026-10-22T10:00:00Z–2026-10-26T08:00:00Z", "bob regular 2026-10-26T08:00:00Z–2026-11-02T08:00:00Z",
            ])
        #expect(rotation.onCall(at: Self.at("2026-10-26T07:59:00Z"), available: { _ in nil }).map(\.person) == ["ana"])
        #expect(rotation.onCall(at: Self.at("2026-10-26T08:00:00Z"), available: { _ in nil }).map(\.person) == ["bob"])
        // Before the start the turns run backwards: the week before was bob's.
        #expect(rotation.onCall(at: Self.at("2026-10-15T12:00:00Z"), available: { _ in nil }).map(\.person) == ["bob"])
    }

    /// Weekdays 09:00–18:00 only: five spans in a week, none at the weekend.
    @Test func aLayerRestrictedToWeekdays() throws {
        let rotation = try #require(
            try Self.parse(
                """
                rotations:
                  - name: office
                    team: infra
                    layers:
                      - {name: primary, group: infra, start: "2026-11-02T00:00", handoff: 1w, restrict: {days: weekdays, hours: "09:00-18:00"}}
                """
            ).first)
        let shifts = rotation.shifts(from: Self.at("2026-11-02T00:00:00Z"), to: Self.at("2026-11-09T00:00:00Z"), available: { _ in nil })
        #expect(Self.spans(shifts) == (2...6).map { "ana regular 2026-11-0\($0)T09:00:00Z–2026-11-0\($0)T18:00:00Z" }, "the group in name order")
    }

    /// A daily rotation of ana and bob; bob is available at weekends only (the catalogue's
    /// "weekends"): his Tuesday and Thursday are gaps, shown with his name; his Saturday stands.
    @Test func aPersonUnavailableInTheCatalogueLeavesAGap() throws {
        let rotation = try #require(
            try Self.parse(
                """
                rotations:
                  - name: daily
                    team: infra
                    layers:
                      - {name: primary, people: [ana, bob], start: "2026-11-02T00:00", handoff: 1d}
                """
            ).first)
        let weekends = try #require(Availability.parse("weekends"))
        let shifts = rotation.shifts(
            from: Self.at("2026-11-02T00:00:00Z"), to: Self.at("2026-11-08T00:00:00Z"),
            available: { $0 == "bob" ? (weekends, TimeZone(identifier: "UTC")!) : nil })
        #expect(
            Self.spans(shifts) == [
                "ana regular 2026-11-02T00:00:00Z–2026-11-03T00:00:00Z", "bob unavailable 2026-11-03T00:00:00Z–2026-11-04T00:00:00Z",
                "ana regular 2026-11-04T00:00:00Z–2026-11-05T00:00:00Z", "bob unavailable 2026-11-05T00:00:00Z–2026-11-06T00:00:00Z",
                "ana regular 2026-11-06T00:00:00Z–2026-11-07T00:00:00Z", "bob regular 2026-11-07T00:00:00Z–2026-11-08T00:00:00Z",
            ])
        #expect(
            rotation.onCall(at: Self.at("2026-11-03T12:00:00Z"), available: { $0 == "bob" ? (weekends, TimeZone(identifier: "UTC")!) : nil }).isEmpty)
    }

    @Test func availabilityWords() {
        #expect(Availability.parse("weekdays") == Weekly(days: [2, 3, 4, 5, 6], from: 0, to: 1440))
        #expect(Availability.parse("weekday evenings") == Weekly(days: [2, 3, 4, 5, 6], from: 1080, to: 1380))
        #expect(Availability.parse("nights") == Weekly(days: Weekly.allDays, from: 1320, to: 420))
        #expect(Availability.parse("office hours") == Weekly(days: [2, 3, 4, 5, 6], from: 540, to: 1080))
        #expect(Availability.parse("when the moon is full") == nil)
        // 22:00-07:00 runs past midnight: Monday night ends on Tuesday morning.
        let spans = Weekly(days: [2], from: 1320, to: 420).spans(
            from: Self.at("2026-11-02T00:00:00Z"), to: Self.at("2026-11-04T00:00:00Z"), zone: .gmt)
        #expect(spans == [Span(Self.at("2026-11-02T22:00:00Z"), Self.at("2026-11-03T07:00:00Z"))])
    }

    @Test func mistakesSayFileLineAndField() {
        func problem(_ yaml: String) -> String {
            do {
                _ = try Self.parse(yaml)
                return "no error"
            } catch { return "\(error)" }
        }
        let head = "rotations:\n  - name: r\n    team: infra\n"
        #expect(
            problem(
                head + "    layers: [{name: p, people: [ana]}]\n    overrides:\n"
                    + "      - {person: bob, start: \"2026-12-24T00:00\", end: \"2026-12-26T00:00\"}\n"
                    + "      - {person: cy, start: \"2026-12-25T00:00\", end: \"2026-12-27T00:00\"}\n")
                == "oncall/team.yaml:7: rotations[0].overrides[1]: overlaps the override of bob at line 6 on layer p")
        #expect(
            problem(head + "    layers: [{name: p, people: [ana, dan]}]\n")
                == "oncall/team.yaml:4: rotations[0].layers[0].people[1]: 'dan' is not a User of the catalogue")
        #expect(
            problem(head + "    zone: Europe/Parris\n    layers: [{name: p, people: [ana]}]\n").hasPrefix(
                "oncall/team.yaml:4: rotations[0].zone: 'Europe/Parris' is not a time zone"))
        #expect(problem(head + "    layers: []\n") == "oncall/team.yaml:2: rotations[0]: needs 'layers', a list of at least one")
        #expect(problem(head + "    layers: [{name: p, people: [ana], restrict: {days: [mon, funday]}}]\n").contains("'funday' is not a day"))
        #expect(problem("rotations:\n  - name: r\n    team: nobody\n    layers: [{name: p, people: [ana]}]\n").contains("'nobody' is not a Group"))
    }
}

@Suite struct ICalendarTests {
    @Test func shiftsAsEventsWithEscapingAndFolding() {
        let shifts = [
            Shift(rotation: "infra, web", layer: "primary", person: "ana", span: Span(0, 3_600_000), kind: .regular),
            Shift(rotation: "infra, web", layer: "primary", person: "bob", span: Span(3_600_000, 7_200_000), kind: .unavailable),
        ]
        let feed = ICalendar.feed(name: String(repeating: "x", count: 100), shifts: shifts, host: "almanac.example.org", now: 0)
        #expect(feed.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && feed.hasSuffix("END:VCALENDAR\r\n"))
        #expect(feed.components(separatedBy: "BEGIN:VEVENT").count == 2, "a gap is not an event")
        #expect(feed.contains("DTSTART:19700101T000000Z\r\nDTEND:19700101T010000Z"))
        #expect(feed.contains("SUMMARY:On call: ana (infra\\, web\\, primary)"))
        #expect(feed.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(feed.contains("X-WR-CALNAME:" + String(repeating: "x", count: 62) + "\r\n " + String(repeating: "x", count: 38)))
    }
}
