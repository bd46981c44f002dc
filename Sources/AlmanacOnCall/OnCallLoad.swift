import Foundation

/// The load on-call puts on people, from the escalations' steps: pages per person, those at
/// night in the person's zone (22:00–07:00), how fast pages were acknowledged, week by week.
public struct PersonLoad: Sendable, Equatable {
    public var person: String
    public var pages: Int
    public var nightPages: Int
    /// Pages in each of the weeks, oldest first.
    public var weekly: [Int]
    /// The share of all the team's pages that reached this person.
    public var share: Double
}

public enum OnCallLoad {
    static let night = Weekly(days: Weekly.allDays, from: 22 * 60, to: 7 * 60)

    /// Each person of `people` over the `weeks` weeks before `now`; `zone` gives a person's time zone.
    public static func compute(
        _ escalations: [Escalation], people: [String], zone: (String) -> TimeZone, weeks: Int, now: Int64
    ) -> [PersonLoad] {
        let week: Int64 = 7 * 86_400_000
        let start = now - Int64(weeks) * week
        var pages: [String: [Int64]] = [:]
        for escalation in escalations {
            for sent in escalation.sent where sent.at >= start && sent.at < now {
                for person in sent.people where people.contains(person) { pages[person, default: []].append(sent.at) }
            }
        }
        let total = pages.values.map(\.count).reduce(0, +)
        return people.map { person in
            let times = pages[person] ?? []
            let nights = times.filter { at in !night.spans(from: at, to: at + 1, zone: zone(person)).isEmpty }.count
            var weekly = [Int](repeating: 0, count: weeks)
            for at in times { weekly[min(weeks - 1, Int((at - start) / week))] += 1 }
            return PersonLoad(
                person: person, pages: times.count, nightPages: nights, weekly: weekly, share: total > 0 ? Double(times.count) / Double(total) : 0)
        }
    }

    /// Median time from an escalation's start to its acknowledgement, over those acknowledged in the window.
    public static func medianTimeToAcknowledge(_ escalations: [Escalation], from: Int64, to: Int64) -> Int64? {
        let times = escalations.compactMap { e in e.acknowledgement.flatMap { $0.at >= from && $0.at < to ? $0.at - e.start : nil } }.sorted()
        guard !times.isEmpty else { return nil }
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}
