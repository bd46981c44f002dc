import AlmanacOnCall
import Foundation
import Testing

/// Load worked by hand: ana paged three times (one at 05:00 Paris time), bob once, over two weeks.
@Suite struct LoadTests {
    @Test func pagesNightsSharesAndTimeToAcknowledge() {
        let hour: Int64 = 3_600_000
        let now: Int64 = 1_796_000_000_000 / (7 * 24 * hour) * (7 * 24 * hour)
        func at(_ hoursAgo: Int64) -> Int64 { now - hoursAgo * hour }
        var first = Escalation(id: "1", alertKey: "a", policy: "p", start: at(300))
        first.sent = [
            .init(at: at(300), step: 0, target: "primary", people: ["ana"]), .init(at: at(299), step: 1, target: "team", people: ["ana", "bob"]),
        ]
        first.acknowledgement = .init(by: "ana", at: at(300) + 10 * 60_000, until: at(296))
        var second = Escalation(id: "2", alertKey: "b", policy: "p", start: at(20))
        second.sent = [.init(at: at(20), step: 0, target: "primary", people: ["ana"])]
        second.acknowledgement = .init(by: "ana", at: at(20) + 30 * 60_000, until: at(16))
        var old = Escalation(id: "3", alertKey: "c", policy: "p", start: at(1000))
        old.sent = [.init(at: at(1000), step: 0, target: "primary", people: ["bob"])]
        let paris = TimeZone(identifier: "Europe/Paris")!
        let loads = OnCallLoad.compute([first, second, old], people: ["ana", "bob", "cy"], zone: { _ in paris }, weeks: 2, now: now)
        #expect(loads.map(\.pages) == [3, 1, 0] && loads.map(\.weekly) == [[2, 1], [1, 0], [0, 0]])
        #expect(abs(loads[0].share - 0.75) < 1e-9)
        // now is 2026-11-26 00:00 UTC: 300 and 299 hours before are 13:00 and 14:00 in Paris, 20 hours before is 05:00.
        #expect(loads[0].nightPages == 1 && loads[1].nightPages == 0)
        #expect(OnCallLoad.medianTimeToAcknowledge([first, second, old], from: at(336), to: now) == Int64(20 * 60_000))
    }
}
