import AlmanacCatalog
import AlmanacConfig
import AlmanacMetrics
import Foundation
import Testing

@testable import AlmanacSLO

@Suite struct SLOTests {
    /// 99.9% of 1,000,000 events allows 1,000 bad ones; 600 bad leave 40% of the budget.
    @Test func budgetRemainingMatchesAHandComputedFixture() throws {
        let budget = ErrorBudget(objective: 0.999, good: 999_400, total: 1_000_000)
        #expect(budget.bad == 600)
        #expect(abs(budget.allowed - 1000) < 1e-6)
        #expect(abs(try #require(budget.remaining) - 0.4) < 1e-9)
        #expect(ErrorBudget(objective: 0.999, good: 0, total: 0).remaining == nil, "no events, no figure")
        #expect(abs(try #require(ErrorBudget(objective: 0.99, good: 970, total: 1000).remaining) - -2) < 1e-9, "overspent three times")
        #expect(abs(ErrorBudget.burnRate(errorRatio: 0.002, objective: 0.999) - 2) < 1e-9)
    }

    /// The Workbook's conditions: a total outage pages, 0.2% errors for days (burn rate 2) opens a
    /// ticket and never pages, and a burst that stopped no longer holds once the short window is clean.
    @Test func multiwindowConditionsFireAsTheWorkbookSays() {
        let objective = 0.999
        func rates(_ ratio: [Int64: Double]) -> (Int64) -> Double? {
            { window in ratio[window].map { ErrorBudget.burnRate(errorRatio: $0, objective: objective) } }
        }
        let hour: Int64 = 3_600_000
        let all = BurnRateAlerts.windows
        let outage = BurnRateAlerts.evaluate(rates(Dictionary(uniqueKeysWithValues: all.map { ($0, 1.0) })))
        #expect(outage?.severity == .page && outage?.factor == 14.4)
        let slow = BurnRateAlerts.evaluate(rates(Dictionary(uniqueKeysWithValues: all.map { ($0, 0.002) })))
        #expect(slow?.severity == .ticket)
        // Ten minutes of total outage an hour ago, clean since: the 1 h window still burns (10/60 / 0.001
        // = 167×) but the 5 min window is clean, so nothing pages.
        var after: [Int64: Double] = Dictionary(uniqueKeysWithValues: all.map { ($0, 0.0) })
        after[hour] = 10.0 / 60
        after[6 * hour] = 10.0 / 360
        #expect(BurnRateAlerts.evaluate(rates(after)) == nil)
        #expect(BurnRateAlerts.evaluate { _ in nil } == nil, "no events, no alert")
    }

    @Test func counterIncreaseHandlesResetsAndTheWindowsEdge() {
        let samples = [(0, 10.0), (10, 20), (20, 35), (30, 5), (40, 15)].map { Sample(timestamp: Int64($0.0), value: $0.1) }
        #expect(EventCounts.increase(samples, from: 0, to: 40) == 10 + 15 + 5 + 10, "a drop is a reset from zero")
        #expect(EventCounts.increase(samples, from: 15, to: 40) == 15 + 5 + 10, "anchored on the sample before the window")
        #expect(EventCounts.increase(samples, from: 40, to: 100) == 0)
        #expect(EventCounts.checkRuns(samples.map { Sample(timestamp: $0.timestamp, value: $0.value > 12 ? 1 : 0) }, from: -1, to: 40) == (3, 5))
        #expect(EventCounts.bound("+Inf") == .infinity && EventCounts.bound("0.3") == 0.3)
    }

    @Test func filesParseWithTierDefaultsAndSayWhereTheyAreWrong() throws {
        let services: [String: Tier?] = ["api": .criticalForOthers, "wiki": .peripheral]
        func parse(_ yaml: String) throws -> [SLO] { try SLOFile.parse(try ConfigDocument.parse(yaml, file: "slos/api.yaml"), services: services) }
        let slos = try parse(
            """
            slos:
              - name: api-availability
                service: api
                sli: {ratio: {good: 'http_requests_total{code!~"5.."}', total: http_requests_total}}
              - name: wiki-latency
                service: wiki
                sli: {latency: {buckets: 'http_request_duration_seconds_bucket{job="wiki"}', threshold: 0.3}}
                objective: 95%
                window: 28d
            """)
        #expect(slos[0].objective == 0.999 && slos[0].window == 30 * 86_400_000 && slos[0].isPublic, "critical for others: 99.9%, public")
        #expect(abs(slos[1].objective - 0.95) < 1e-12 && slos[1].window == 28 * 86_400_000 && !slos[1].isPublic)
        func problem(_ yaml: String) -> String {
            do {
                _ = try parse(yaml)
                return "parsed"
            } catch { return "\(error)" }
        }
        #expect(problem("slos:\n  - {name: a, service: shop, sli: {check: web}}\n").contains("slos/api.yaml:2"))
        #expect(problem("slos:\n  - {name: a, service: shop, sli: {check: web}}\n").contains("not a service of the catalogue"))
        #expect(problem("slos:\n  - name: a\n    service: api\n    sli: {check: web}\n    objective: 100%\n").contains("slos/api.yaml:5"))
        #expect(problem("slos:\n  - name: a\n    service: api\n    sli: {check: web}\n    objective: 100%\n").contains("below 100%"))
        #expect(problem("slos:\n  - name: a\n    service: api\n    sli: {ratio: {good: 'x{', total: y}}\n").contains("good"))
        #expect(problem("slos:\n  - name: a\n    service: api\n    sli: {latency: {buckets: b}}\n").contains("threshold"))
    }
}

@Suite struct SLOEvaluationTests {
    static let hour: Int64 = 3_600_000

    /// The burn-down: 100 events a step, 0.1% allowed of 400 is 0.4 bad; 0.1 bad after the
    /// second step leaves 75%, 0.3 more leaves 0%.
    @Test func theBudgetBurnsDownStepByStep() throws {
        let steps: [(good: Double, total: Double)] = [(100, 100), (99.9, 100), (100, 100), (99.7, 100)]
        let left = try #require(ErrorBudget.burnDown(steps, objective: 0.999))
        #expect(zip(left, [1, 0.75, 0.75, 0]).allSatisfy { abs($0 - $1) < 1e-9 }, "\(left)")
        #expect(ErrorBudget.burnDown([(0, 0)], objective: 0.999) == nil)
    }

    /// Thirty days of 1,000 requests an hour, clean until two days ago, 0.2% errors since: the
    /// budget (720 bad requests in 30 days) has 96 spent, burns at 2×, a ticket is open, nothing
    /// pages, and at 2 bad requests an hour the rest goes in about 312 hours.
    @Test func aSlowBurnOpensATicketAndForecastsTheBudgetsEnd() throws {
        let now: Int64 = 1_800_000_000_000
        var good: [Sample] = []
        var total: [Sample] = []
        var goodCount = 0.0
        var totalCount = 0.0
        for h in 0...(30 * 24) {
            let at = now - 30 * 24 * Self.hour + Int64(h) * Self.hour
            if h > 0 {
                totalCount += 1000
                goodCount += h > 28 * 24 ? 998 : 1000
            }
            good.append(Sample(timestamp: at, value: goodCount))
            total.append(Sample(timestamp: at, value: totalCount))
        }
        let slo = SLO(
            name: "api", service: "api", indicator: .check(name: "x"), objective: 0.999, window: 30 * 24 * Self.hour, isPublic: true,
            excludesMaintenance: true, file: "slos/api.yaml", line: 2)
        let result = SLOEvaluation.evaluate(slo, good: [good], total: [total], counting: .counters, now: now)
        #expect(result.budget.total == 720_000 && result.budget.bad == 96)
        #expect(abs(try #require(result.budget.remaining) - (1 - 96.0 / 720)) < 1e-9)
        #expect(abs(try #require(result.burnRates[6 * Self.hour]) - 2) < 1e-9)
        #expect(result.condition?.severity == .ticket)
        let likely = try #require(result.exhaustion?.likely)
        #expect(abs(Double(likely - now) / Double(Self.hour) - 312) < 24, "\(Double(likely - now) / Double(Self.hour)) hours")
    }

    /// The same two days of 0.2%, evaluated every 5 minutes with 1,000 requests spread over each
    /// hour: the ticket opens once the 3-day window's error ratio passes 0.1% (after 36 hours, since
    /// the 3 days before were clean) and stays; no moment of the two days pages.
    @Test func twoDaysAtTwoPerThousandNeverPage() {
        let step: Int64 = 300_000
        let start: Int64 = 1_800_000_000_000
        let burnStarts: Int64 = start + 3 * 24 * Self.hour
        let end: Int64 = start + 5 * 24 * Self.hour
        var good: [Sample] = []
        var total: [Sample] = []
        for i in 0...(5 * 24 * 12) {
            let at = start + Int64(i) * step
            let bad = Double(max(0, at - burnStarts)) / Double(Self.hour) * 2
            total.append(Sample(timestamp: at, value: Double(i) * 1000 / 12))
            good.append(Sample(timestamp: at, value: Double(i) * 1000 / 12 - bad))
        }
        let slo = SLO(
            name: "api", service: "api", indicator: .check(name: "x"), objective: 0.999, window: 30 * 24 * Self.hour, isPublic: true,
            excludesMaintenance: true, file: "slos/api.yaml", line: 2)
        var firstTicket: Int64?
        for at in stride(from: burnStarts + step, through: end, by: Int(step)) {
            let rates = SLOEvaluation.burnRates(slo, good: [good], total: [total], counting: .counters, now: at)
            let condition = BurnRateAlerts.evaluate { rates[$0] }
            #expect(condition?.severity != .page, "paged \((at - start) / Self.hour) h in")
            if condition?.severity == .ticket, firstTicket == nil { firstTicket = at }
            if let firstTicket, at > firstTicket { #expect(condition?.severity == .ticket) }
        }
        let opened = Double((firstTicket ?? 0) - burnStarts) / Double(Self.hour)
        #expect(abs(opened - 36) <= 0.1, "the ticket opened \(opened) h into the slow burn")
    }
}

@Suite struct StatusPageTests {
    /// Three days of a counter pair: 100% good, then 99% (below a 99.9% objective), then no
    /// traffic; bars (the 99% day short of the objective by less than ten budgets: "low") and the
    /// 90-day figure as worked by hand.
    @Test func dailyBarsAndTheFigureComeFromTheIndicator() {
        let day: Int64 = 86_400_000
        let now = 20_000 * day + 3_600_000
        let start = now / day * day - 2 * day
        let total = [
            Sample(timestamp: start - 1, value: 0), Sample(timestamp: start + day / 2, value: 1000), Sample(timestamp: start + day + 5, value: 2000),
        ]
        let good = [
            Sample(timestamp: start - 1, value: 0), Sample(timestamp: start + day / 2, value: 1000), Sample(timestamp: start + day + 5, value: 1990),
        ]
        let days = StatusPage.days(good: [good], total: [total], counting: .counters, now: now)
        #expect(days.count == 90 && days[87].start == start)
        #expect(days[87].percent == 100 && days[88].percent == 99 && days[89].percent == nil)
        let service = StatusPage.Service(name: "api", state: .operational, objective: 0.999, days: days)
        #expect(service.availability == 99.5)
        let html = StatusPage.html(title: "Open Food Facts status", services: [service], generatedAt: now)
        #expect(html.contains("<b class=\"availability\">99.500%</b>"))
        #expect(html.contains("class=\"day low\"") && html.components(separatedBy: "class=\"day none\"").count - 1 == 88)
        #expect(StatusPage.html(title: "t", services: [], generatedAt: now).contains("public: true"))
    }

    /// Windows over a shown service: the one open now, a weekly one's coming Sunday (planned)
    /// and its past Sundays within the 90 days; a window over another service is not shown.
    @Test func maintenanceNowPlannedAndPast() throws {
        let yaml = """
            windows:
              - {name: disk-move, match: '{service="api"}', start: '2026-12-01T22:00:00Z', end: '2026-12-02T02:00:00Z', note: Edits may fail}
              - {name: backups, match: '{service="api"}', rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3, zone: Europe/Paris, duration: 2h}
              - {name: other, match: '{service="images"}', start: '2026-12-01T20:00:00Z', end: '2026-12-02T02:00:00Z'}
            """
        let windows = try MaintenanceFile.parse(try ConfigDocument.parse(yaml, file: "maintenance/m.yaml"))
        let now = MaintenanceTests.at("2026-12-01T23:00:00Z")  // a Tuesday
        let notices = StatusPage.notices(windows, shown: [("api", "api-availability")], now: now)
        #expect(notices.filter { $0.when(at: now) == .now }.map(\.name) == ["disk-move"])
        #expect(
            notices.filter { $0.when(at: now) == .planned }.map(\.start) == [
                MaintenanceTests.at("2026-12-13T02:00:00Z"), MaintenanceTests.at("2026-12-06T02:00:00Z"),
            ])
        let past = notices.filter { $0.when(at: now) == .past }
        #expect(past.count == 13 && past.allSatisfy { $0.name == "backups" } && !notices.contains { $0.name == "other" })
        let html = StatusPage.html(title: "t", services: [], maintenance: notices, generatedAt: now)
        #expect(
            html.contains(
                "<h3>Now</h3><ul class=\"now\"><li data-window=\"disk-move\"><b>2026-12-01 22:00 UTC</b> to 2026-12-02 02:00 UTC: api — Edits may fail</li></ul>"
            ))
        #expect(html.contains("<h3>Planned</h3><ul class=\"planned\"><li data-window=\"backups\"><b>2026-12-06 02:00 UTC</b>"))
    }

    /// Incidents of shown services only, newest first, with the summary people wrote; an open one says so.
    @Test func incidentNotesShowServicesAndSummariesOnly() {
        let day: Int64 = 86_400_000
        let now = 20_000 * day
        let notes = [
            StatusPage.IncidentNote(service: "api", openedAt: now - 2 * day, resolvedAt: now - 2 * day + 3_600_000, summary: "Search <was> slow"),
            StatusPage.IncidentNote(service: "api", openedAt: now - 3_600_000, resolvedAt: nil, summary: nil),
            StatusPage.IncidentNote(service: "images", openedAt: now - day, resolvedAt: nil, summary: nil),
            StatusPage.IncidentNote(service: "api", openedAt: now - 91 * day, resolvedAt: now - 90 * day, summary: "old"),
        ]
        let service = StatusPage.Service(name: "api", state: .operational, objective: 0.999, days: [])
        let html = StatusPage.html(title: "t", services: [service], incidents: notes, generatedAt: now)
        let section = html.components(separatedBy: "<section class=\"incidents\">").last ?? ""
        #expect(section.components(separatedBy: "<li ").count == 3, "two of api's, not images', not the old one")
        #expect(section.contains("ongoing, being looked at") && section.contains("— Search &lt;was&gt; slow") && !section.contains("old"))
        #expect(section.range(of: "ongoing")!.lowerBound < section.range(of: "Search")!.lowerBound, "newest first")
    }
}

@Suite struct MaintenanceTests {
    static func at(_ text: String) -> Int64 { Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000) }

    /// Sundays 03:00 in Paris for two hours: 02:00 UTC before the change to summer time
    /// (29 March 2026), 01:00 UTC from that Sunday on.
    @Test func aRecurringWindowKeepsItsLocalTimeAcrossDaylightSaving() throws {
        let yaml = """
            windows:
              - {name: backups, match: '{service="database"}', rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3, zone: Europe/Paris, duration: 2h}
            """
        let windows = try MaintenanceFile.parse(try ConfigDocument.parse(yaml, file: "maintenance/db.yaml"))
        let window = try #require(windows.first)
        #expect(window.opening(at: Self.at("2026-03-22T02:30:00Z"))?.start == Self.at("2026-03-22T02:00:00Z"))
        #expect(window.opening(at: Self.at("2026-03-22T01:59:00Z")) == nil)
        #expect(window.opening(at: Self.at("2026-03-29T01:00:00Z"))?.start == Self.at("2026-03-29T01:00:00Z"), "summer time: 03:00 is 01:00 UTC")
        #expect(window.opening(at: Self.at("2026-03-29T03:00:00Z")) == nil)
        #expect(window.opening(at: Self.at("2026-03-28T02:30:00Z")) == nil, "a Saturday")
        #expect(window.opening(at: Self.at("2026-10-25T02:30:00Z"))?.start == Self.at("2026-10-25T02:00:00Z"), "back to winter time")
        let silence = try #require(window.silence(at: Self.at("2026-03-22T03:00:00Z")))
        #expect(silence.endsAt == Self.at("2026-03-22T04:00:00Z") && silence.createdBy == "maintenance window backups")
    }

    @Test func oneOffWindowsAndMistakesSayWhere() throws {
        func parse(_ yaml: String) throws -> [MaintenanceWindow] {
            try MaintenanceFile.parse(try ConfigDocument.parse(yaml, file: "maintenance/m.yaml"))
        }
        let once = try parse("windows:\n  - {name: move, match: '{server=\"off2\"}', start: '2026-12-01T22:00:00Z', end: '2026-12-02T02:00:00Z'}\n")
        #expect(once[0].opening(at: Self.at("2026-12-02T01:59:59Z")) != nil && once[0].opening(at: Self.at("2026-12-02T02:00:00Z")) == nil)
        func problem(_ yaml: String) -> String {
            do {
                _ = try parse(yaml)
                return "parsed"
            } catch { return "\(error)" }
        }
        let bad = problem("windows:\n  - name: w\n    match: '{a=\"b\"}'\n    rrule: FREQ=HOURLY\n    duration: 1h\n")
        #expect(bad.contains("maintenance/m.yaml:4") && bad.contains("does not parse") && bad.contains("FREQ"), "\(bad)")
        #expect(problem("windows:\n  - {name: w, match: '{a=\"b\"}', rrule: 'FREQ=WEEKLY;BYDAY=XX', duration: 1h}\n").contains("BYDAY XX"))
        #expect(
            problem("windows:\n  - {name: w, match: '{a=\"b\"}', rrule: FREQ=DAILY, zone: Mars/Olympus, duration: 1h}\n").contains("not a time zone"))
        #expect(
            problem("windows:\n  - {name: w, match: '{}', start: '2026-12-01T22:00:00Z', end: '2026-12-02T02:00:00Z'}\n").contains(
                "m.yaml:2: windows[0].match"), "a window that matches every alert is refused")
    }

    /// Maintenance is left out of the budget: a two-hour outage inside a window spends nothing,
    /// and a weekly window's openings over three weeks are found one by one.
    @Test func maintenanceIsLeftOutOfTheBudget() throws {
        let hour: Int64 = 3_600_000
        let total = (0...10).map { Sample(timestamp: Int64($0) * hour, value: Double($0) * 1000) }
        // Every request fails in hours 4 and 5.
        let good = (0...10).map { Sample(timestamp: Int64($0) * hour, value: Double($0) * 1000 - Double(min(max($0 - 3, 0), 2)) * 1000) }
        let window = [(start: 3 * hour + 1, end: 5 * hour + 1)]
        let keptGood = EventCounts.excluding(window, from: good, counting: .counters)
        let keptTotal = EventCounts.excluding(window, from: total, counting: .counters)
        #expect(EventCounts.increase(total, from: 0, to: 10 * hour) - EventCounts.increase(good, from: 0, to: 10 * hour) == 2000)
        #expect(EventCounts.increase(keptTotal, from: 0, to: 10 * hour) - EventCounts.increase(keptGood, from: 0, to: 10 * hour) == 0)
        #expect(EventCounts.increase(keptTotal, from: 0, to: 10 * hour) == 8000, "the window's traffic is out of the count")
        let runs = [Sample(timestamp: 4 * hour, value: 0), Sample(timestamp: 7 * hour, value: 1)]
        #expect(EventCounts.excluding(window, from: runs, counting: .runs) == [runs[1]])

        let yaml = "windows:\n  - {name: w, match: '{service=\"api\"}', rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=3, zone: UTC, duration: 2h}\n"
        let weekly = try #require(try MaintenanceFile.parse(try ConfigDocument.parse(yaml, file: "maintenance/w.yaml")).first)
        let openings = weekly.openings(from: MaintenanceTests.at("2026-03-01T00:00:00Z"), to: MaintenanceTests.at("2026-03-22T00:00:00Z"))
        #expect(openings.map(\.start) == ["2026-03-01T03:00:00Z", "2026-03-08T03:00:00Z", "2026-03-15T03:00:00Z"].map(MaintenanceTests.at))
        #expect(weekly.covers(service: "api", slo: "a") && !weekly.covers(service: "web", slo: "a"))
    }
}
