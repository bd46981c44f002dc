import AlmanacReporting
import Foundation

/// An analysis as people read it: the split's check first (a broken split voids the rest), then
/// one row per variant against control.
extension Analysis {
    public var table: ReportTable {
        ReportTable(
            headers: ["Variant", "Users", "Mean", "Lift (interval)", "p-value", "Sequential p", "Chance to beat control"],
            rows: variants.map { row in
                guard let f = row.frequentist, let s = row.sequential, let b = row.bayesian else {
                    return [row.name + " (baseline)", String(row.users), Self.figure(row.mean), "", "", "", ""]
                }
                if let problem = f.problem { return [row.name, String(row.users), Self.figure(row.mean), problem.rawValue, "", "", ""] }
                return [
                    row.name, String(row.users), Self.figure(row.mean),
                    "\(Self.percent(f.expected)) (\(Self.percent(f.lower)) to \(Self.percent(f.upper)))",
                    Self.figure(f.pValue), Self.figure(s.pValue), String(format: "%.1f%%", b.chanceToWin * 100),
                ]
            })
    }

    public var verdict: String {
        let split = "Sample ratio check: p = \(Self.figure(srmPValue))"
        return srmFailed
            ? split + ". FAILED: the split is not the planned one; do not trust the results below." : split + ", the split is as planned."
    }

    public func text(markdown: Bool) -> String {
        verdict + "\n\n" + (markdown ? table.markdown() : table.text())
    }

    static func figure(_ value: Double) -> String { String(format: "%.4g", value) }
    static func percent(_ value: Double) -> String { String(format: "%+.2f%%", value * 100) }
}
