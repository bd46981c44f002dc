import AlmanacReporting
import Foundation

/// The report as tables: hosts, services, where the money and CO2e go, and where they are
/// heading. Rows of money are rounded so they add up to the rounded total.
extension CostReport {
    /// The hosts' table: the bill, idle, energy (measured or estimated) and emissions.
    public var hostTable: ReportTable {
        ReportTable(
            headers: [
                "Host", "Paid", "Cost (\(currency))", "Idle (\(currency))", "vs last month", "CPU busy", "kWh", "Energy", "kg CO2e",
                "Embodied kg CO2e", "Grid g/kWh",
            ],
            rows: hosts.map { h in
                [
                    h.host, h.payment, Self.money(h.cost), Self.money(h.idle), Self.change(h.cost, from: h.previousCost),
                    h.utilization.map { "\(Int(($0 * 100).rounded()))%" } ?? "no data", ReportFormat.number(h.kilowattHours),
                    h.measured ? "measured (RAPL)" : "estimated", Self.kilograms(h.operationalGrams),
                    h.embodiedGrams.map(Self.kilograms) ?? "not given",
                    ReportFormat.number(h.gridGramsPerKilowattHour) + (h.gridFromSeries ? " (hourly)" : ""),
                ]
            })
    }

    /// The services' table: their share of cost and carbon, and per thousand units of work.
    public var serviceTable: ReportTable {
        let cents = Cents.split(services.map(\.cost) + [hosts.reduce(0) { $0 + $1.idle }], total: hosts.reduce(0) { $0 + $1.cost })
        return ReportTable(
            headers: [
                "Service", "Cost (\(currency))", "of which idle", "vs last month", "kWh", "kg CO2e", "Per 1000 units (\(currency))",
                "g CO2e per 1000 units",
            ],
            rows: services.enumerated().map { index, s in
                // A service with no usage anywhere has no figures: a gap, not a zero.
                let gap = s.missingUsage && s.cost == 0
                let unit = s.unitName.map { " \($0)" } ?? ""
                return [
                    s.service + (s.missingUsage ? " (usage missing)" : ""), gap ? "no data" : Self.cents(cents[index]),
                    gap ? "no data" : Self.money(s.idleCost), gap ? "" : Self.change(s.cost, from: s.previousCost),
                    gap ? "no data" : ReportFormat.number(s.kilowattHours), gap ? "no data" : Self.kilograms(s.grams),
                    s.costPerThousand.map { Self.money($0) + unit } ?? "", s.gramsPerThousand.map { ReportFormat.number($0) + unit } ?? "",
                ]
            } + [["idle (not spread)", Self.cents(cents.last ?? 0), "", "", "", "", "", ""]])
    }

    /// Where each service's money and CO2e go: compute, memory, storage, network, embodied.
    public var splitTable: ReportTable {
        let rows = services.filter { !($0.missingUsage && $0.cost == 0) }.map { ($0.service, $0.moneySplit, $0.carbonSplit) }
        let total = (
            "all hosts", hosts.reduce(MoneySplit()) { $0 + $1.moneySplit }, hosts.reduce(CarbonSplit()) { $0 + $1.carbonSplit }
        )
        return ReportTable(
            headers: [
                "Service", "Compute (\(currency))", "Memory", "Storage", "Network", "Compute kg CO2e", "Memory", "Storage", "Network", "Embodied",
            ],
            rows: (rows + [total]).map { name, money, carbon in
                [name, Self.money(money.compute), Self.money(money.memory), Self.money(money.storage), Self.money(money.network)]
                    + [carbon.compute, carbon.memory, carbon.storage, carbon.network, carbon.embodied].map(Self.kilograms)
            })
    }

    /// The forecasts: each figure now and in 6 and 12 months, with the range.
    public var outlookTable: ReportTable {
        ReportTable(
            headers: ["Scope", "Measure", "Now a month", "In 6 months", "In 12 months", "Model", "Days of history"],
            rows: outlook.map { o in
                let format = o.measure == .money ? Self.money : ReportFormat.number
                let range = { (r: CostOutlook.Range) in "\(format(r.likely)) (\(format(r.low)) to \(format(r.high)))" }
                return [
                    o.service ?? "all services", o.measure == .money ? currency : "kg CO2e", format(o.now), range(o.sixMonths), range(o.twelveMonths),
                    o.model, "\(o.days)",
                ]
            })
    }

    public var sources: String { "Energy: \(coefficientSource). Grid factors: \(gridSource)." }

    /// The whole report as Markdown, ready to commit to the team's documentation.
    public func markdown(title: String) -> String {
        var parts = [
            "# \(title)", "## Hosts", hostTable.markdown(), "## Services", serviceTable.markdown(), "## Where it goes", splitTable.markdown(),
        ]
        if !outlook.isEmpty { parts += ["## Forecast", outlookTable.markdown()] }
        return (parts + [sources]).joined(separator: "\n\n")
    }

    public func text(title: String) -> String {
        var parts = [title, hostTable.text(), serviceTable.text(), splitTable.text()]
        if !outlook.isEmpty { parts += ["Forecast", outlookTable.text()] }
        return (parts + [sources]).map { $0.trimmingCharacters(in: .newlines) }.joined(separator: "\n\n")
    }

    public func html(title: String) -> String {
        var parts = ["<h1>\(HTML.escape(title))</h1>", hostTable.html(id: "hosts"), serviceTable.html(id: "services"), splitTable.html(id: "split")]
        if !outlook.isEmpty { parts.append(outlookTable.html(id: "outlook")) }
        return (parts + ["<p>\(HTML.escape(sources))</p>"]).joined()
    }

    /// "" when the window before had no measurements; "new" for what it did not have.
    static func change(_ now: Double, from before: Double?) -> String {
        guard let before else { return "" }
        guard before > 0 else { return now > 0 ? "new" : "same" }
        let percent = (now / before - 1) * 100
        return abs(percent) < 0.5 ? "same" : String(format: "%+.0f%%", percent)
    }

    static func money(_ value: Double) -> String { cents(Int((value * 100).rounded())) }
    static func cents(_ value: Int) -> String { (value < 0 ? "-" : "") + "\(abs(value) / 100).\(String(format: "%02d", abs(value) % 100))" }
    static func kilograms(_ grams: Double) -> String { ReportFormat.number(grams / 1000) }
}
