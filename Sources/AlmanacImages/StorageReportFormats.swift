import AlmanacCharts
import AlmanacReporting
import Foundation

extension StorageReport {
    public func markdown() -> String {
        var out = "# Storage audit\n\n"
        out += "\(files) files, \(Self.bytes(bytes)); \(images) images"
        out += problems > 0 ? ", \(problems) that could not be read as images.\n\n" : ".\n\n"
        out += "## Savings\n\n" + savingsTable.markdown() + "\n"
        out += "The savings overlap (a duplicate converted to WebP saves once): they are not to be added up.\n"
        if sampled > 0 {
            out += "WebP and downscale figures come from re-encoding a stratified random sample of \(sampled) images, "
            out += "with a 95% interval for the whole tree."
            if let mean = meanWebPSSIM, let lowest = lowestWebPSSIM {
                out += " WebP's structural similarity to the originals: mean \(Self.ratio(mean)), lowest \(Self.ratio(lowest))."
            }
            if let mean = meanDownscaleSSIM { out += " Downscaled, at display size: mean \(Self.ratio(mean))." }
            out += "\n"
        }
        out += "\nDuplicates: \(exactGroups) groups of identical files, \(nearGroups) groups of near-duplicates "
        out += "(resized, recompressed or cropped copies).\n"
        if !groups.isEmpty {
            out += "\n## Largest duplicate groups\n\n" + groupTable.markdown()
        }
        if !heat.isEmpty {
            out += "\n## Hot and cold\n\nFrom \(logLines) lines of access logs.\n\n" + heatTable.markdown()
            if heat.contains(where: { !$0.covered }) { out += "\nA window the logs do not cover in full makes more images look cold.\n" }
        }
        out += "\n## By format\n\n" + Self.table(byFormat, first: "Format").markdown()
        out += "\n## By size\n\n" + Self.table(bySize, first: "Size").markdown()
        out += "\n## By year of last change\n\n" + Self.table(byAge, first: "Year").markdown()
        return out
    }

    public func html() -> String {
        var out = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Storage audit</title></head><body><main>"
        out += "<h1>Storage audit</h1><p>\(files) files, \(HTML.escape(Self.bytes(bytes))); \(images) images.</p>"
        out += "<h2>Savings</h2>" + savingsTable.html(id: "savings")
        out += BarChart(title: "Likely bytes saved, by kind", bars: savings.map { .init(label: $0.kind, value: $0.bytes) }) {
            Self.bytes(Int64($0))
        }.svg()
        if !groups.isEmpty { out += "<h2>Largest duplicate groups</h2>" + groupTable.html(id: "groups") }
        if !heat.isEmpty { out += "<h2>Hot and cold</h2>" + heatTable.html(id: "heat") }
        out += "<h2>By size</h2>" + chart(bySize, title: "Bytes by file size") + Self.table(bySize, first: "Size").html(id: "by-size")
        out += "<h2>By year of last change</h2>" + chart(byAge, title: "Bytes by year of last change")
        out += Self.table(byAge, first: "Year").html(id: "by-age")
        out += "<h2>By format</h2>" + Self.table(byFormat, first: "Format").html(id: "by-format")
        return out + "</main></body></html>\n"
    }

    func chart(_ buckets: [Bucket], title: String) -> String {
        BarChart(title: title, bars: buckets.map { .init(label: $0.label, value: Double($0.bytes)) }) { Self.bytes(Int64($0)) }.svg()
    }

    var savingsTable: ReportTable {
        let currency = prices?.currency ?? ""
        return ReportTable(
            headers: [
                "Saving", "Files", "Likely", "95% interval", "Share", "\(currency) a month".trimmingCharacters(in: .whitespaces), "kg CO2e a month",
            ],
            rows: savings.map { saving in
                [
                    saving.kind, "\(saving.files)", Self.bytes(Int64(saving.bytes)),
                    saving.low == saving.high ? "counted" : "\(Self.bytes(Int64(saving.low))) – \(Self.bytes(Int64(saving.high)))",
                    bytes > 0 ? String(format: "%.1f%%", saving.bytes / Double(bytes) * 100) : "–",
                    saving.money.map { String(format: "%.2f", $0) } ?? "–", saving.kgCO2e.map { String(format: "%.3f", $0) } ?? "–",
                ]
            })
    }

    /// The 20 groups that free the most; the JSON report lists them all.
    var groupTable: ReportTable {
        ReportTable(
            headers: ["Kind", "Kept", "Copies", "Freed"],
            rows: groups.sorted { ($0.freed, $1.keep) > ($1.freed, $0.keep) }.prefix(20).map {
                [$0.kind, $0.keep, "\($0.others.count)", Self.bytes($0.freed)]
            })
    }

    var heatTable: ReportTable {
        ReportTable(
            headers: ["Window", "Hot images", "Hot bytes", "Cold images", "Cold bytes", "Logs cover it"],
            rows: heat.map {
                [
                    "\($0.days) days", "\($0.hotFiles)", Self.bytes($0.hotBytes), "\($0.coldFiles)", Self.bytes($0.coldBytes),
                    $0.covered ? "yes" : "no",
                ]
            })
    }

    static func table(_ buckets: [Bucket], first: String) -> ReportTable {
        ReportTable(headers: [first, "Files", "Bytes"], rows: buckets.map { [$0.label, "\($0.files)", bytes($0.bytes)] })
    }

    static func bytes(_ count: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (size, unit) in units where Double(abs(count)) >= size { return String(format: "%.2f %@", Double(count) / size, unit) }
        return "\(count) B"
    }

    static func ratio(_ value: Double) -> String { String(format: "%.4f", value) }
}

/// The report as JSON, with stable snake_case keys.
public struct StorageReportJSON: Encodable {
    let report: StorageReport

    public init(_ report: StorageReport) { self.report = report }

    enum Keys: String, CodingKey {
        case files, images, problems, bytes, savings, heat, sampled, settings, groups
        case byFormat = "by_format"
        case bySize = "by_size"
        case byAge = "by_age"
        case exactGroups = "exact_groups"
        case nearGroups = "near_groups"
        case meanWebPSSIM = "mean_webp_ssim"
        case lowestWebPSSIM = "lowest_webp_ssim"
        case meanDownscaleSSIM = "mean_downscale_ssim"
        case logLines = "log_lines"
        case currency
    }

    struct Window: Encodable {
        let days, hot_files, cold_files: Int
        let hot_bytes, cold_bytes: Int64
        let covered: Bool
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(report.files, forKey: .files)
        try c.encode(report.images, forKey: .images)
        try c.encode(report.problems, forKey: .problems)
        try c.encode(report.bytes, forKey: .bytes)
        try c.encode(report.savings, forKey: .savings)
        try c.encode(report.groups, forKey: .groups)
        try c.encode(report.byFormat, forKey: .byFormat)
        try c.encode(report.bySize, forKey: .bySize)
        try c.encode(report.byAge, forKey: .byAge)
        try c.encode(report.exactGroups, forKey: .exactGroups)
        try c.encode(report.nearGroups, forKey: .nearGroups)
        try c.encode(report.sampled, forKey: .sampled)
        try c.encode(report.meanWebPSSIM, forKey: .meanWebPSSIM)
        try c.encode(report.lowestWebPSSIM, forKey: .lowestWebPSSIM)
        try c.encode(report.meanDownscaleSSIM, forKey: .meanDownscaleSSIM)
        try c.encode(report.logLines, forKey: .logLines)
        try c.encode(report.prices?.currency, forKey: .currency)
        try c.encode(report.settings, forKey: .settings)
        let windows = report.heat.map {
            Window(
                days: $0.days, hot_files: $0.hotFiles, cold_files: $0.coldFiles, hot_bytes: $0.hotBytes, cold_bytes: $0.coldBytes, covered: $0.covered
            )
        }
        try c.encode(windows, forKey: .heat)
    }
}
