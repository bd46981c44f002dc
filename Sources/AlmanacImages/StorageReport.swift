import AlmanacReporting
import Foundation

/// What one sampled file measured when re-encoded for real.
public struct SampleMeasure: Sendable, Equatable {
    public var index: Int
    public var webpBytes: Int64
    public var webpSSIM: Double
    /// Nil when the image is within the pixel budget (nothing to shrink).
    public var downscaledBytes: Int64?
    public var downscaleSSIM: Double?

    public init(index: Int, webpBytes: Int64, webpSSIM: Double, downscaledBytes: Int64?, downscaleSSIM: Double?) {
        self.index = index
        self.webpBytes = webpBytes
        self.webpSSIM = webpSSIM
        self.downscaledBytes = downscaledBytes
        self.downscaleSSIM = downscaleSSIM
    }
}

/// Prices of a gigabyte kept for a month, from the cost model: where the images are now, in cold
/// storage, and the grams of CO2e its disk's energy costs.
public struct StoragePrices: Sendable, Equatable {
    public var currency: String
    public var perGBMonth: Double
    public var coldPerGBMonth: Double
    public var kgCO2ePerGBMonth: Double

    public init(currency: String, perGBMonth: Double, coldPerGBMonth: Double, kgCO2ePerGBMonth: Double) {
        self.currency = currency
        self.perGBMonth = perGBMonth
        self.coldPerGBMonth = coldPerGBMonth
        self.kgCO2ePerGBMonth = kgCO2ePerGBMonth
    }
}

/// The audit's findings, ready to print.
public struct StorageReport: Sendable {
    public struct Saving: Sendable, Equatable, Codable {
        public var kind: String
        public var bytes: Double
        /// The 95% interval, for savings estimated from the sample; equal to `bytes` when counted.
        public var low: Double
        public var high: Double
        public var files: Int
        public var money: Double?
        public var kgCO2e: Double?

        enum CodingKeys: String, CodingKey {
            case kind, bytes, low, high, files, money
            case kgCO2e = "kg_co2e"
        }
    }

    public struct Bucket: Sendable, Equatable, Codable {
        public var label: String
        public var files: Int
        public var bytes: Int64
    }

    /// A duplicate group by paths, for review and for tools.
    public struct GroupListing: Sendable, Equatable, Codable {
        public var kind: String
        public var keep: String
        public var others: [String]
        public var freed: Int64
    }

    public var files = 0
    public var images = 0
    public var groups: [GroupListing] = []
    public var problems = 0
    public var bytes: Int64 = 0
    public var byFormat: [Bucket] = []
    public var bySize: [Bucket] = []
    public var byAge: [Bucket] = []
    public var savings: [Saving] = []
    public var exactGroups = 0
    public var nearGroups = 0
    public var sampled = 0
    public var meanWebPSSIM: Double?
    public var lowestWebPSSIM: Double?
    public var meanDownscaleSSIM: Double?
    public var heat: [AccessHeat.Window] = []
    public var logLines = 0
    public var prices: StoragePrices?
    public var settings: [String: String] = [:]

    public init() {}

    static let sizeLimits: [(Int64, String)] = [
        (100_000, "under 100 kB"), (1_000_000, "100 kB – 1 MB"), (5_000_000, "1 – 5 MB"), (20_000_000, "5 – 20 MB"), (.max, "over 20 MB"),
    ]

    /// Gathers the findings. `strata` are those the sample was drawn from (over the images only,
    /// as `images` lists them), `samples` what each drawn file measured.
    public static func make(
        files: [ImageRecord], duplicates: DuplicateGroups, images: [Int], strata: [Int], samples: [SampleMeasure],
        heat: AccessHeat?, prices: StoragePrices?, pixelBudget: Int
    ) -> StorageReport {
        var report = StorageReport()
        report.files = files.count
        report.images = images.count
        report.problems = files.filter { $0.problem != nil }.count
        report.bytes = files.reduce(0) { $0 + $1.size }
        report.prices = prices
        report.byFormat = Dictionary(grouping: files, by: { $0.format ?? "not an image" })
            .map { Bucket(label: $0.key, files: $0.value.count, bytes: $0.value.reduce(0) { $0 + $1.size }) }
            .sorted { ($0.bytes, $0.label) > ($1.bytes, $1.label) }
        report.bySize = sizeLimits.enumerated().map { i, limit in
            let lower = i == 0 ? 0 : sizeLimits[i - 1].0
            let members = files.filter { $0.size >= lower && $0.size < limit.0 }
            return Bucket(label: limit.1, files: members.count, bytes: members.reduce(0) { $0 + $1.size })
        }
        report.byAge = Dictionary(grouping: files, by: { ReportFormat.date($0.modified).prefix(4) })
            .map { Bucket(label: String($0.key), files: $0.value.count, bytes: $0.value.reduce(0) { $0 + $1.size }) }
            .sorted { $0.label < $1.label }
        for (kind, list) in [("exact", duplicates.exact), ("near", duplicates.near)] {
            report.groups += list.map { group in
                GroupListing(
                    kind: kind, keep: files[group.keep].path, others: group.members.filter { $0 != group.keep }.map { files[$0].path },
                    freed: group.freed)
            }
        }
        report.exactGroups = duplicates.exact.count
        report.nearGroups = duplicates.near.count
        report.add("exact duplicates", counted: Double(duplicates.exactFreed), files: duplicates.exact.reduce(0) { $0 + $1.members.count - 1 })
        report.add("near duplicates", counted: Double(duplicates.nearFreed), files: duplicates.near.reduce(0) { $0 + $1.members.count - 1 })
        report.sampled = samples.count
        if !samples.isEmpty {
            let byPosition = Dictionary(uniqueKeysWithValues: images.enumerated().map { ($1, $0) })
            var webp: [Int: Double] = [:]
            var shrink: [Int: Double] = [:]
            for sample in samples {
                guard let position = byPosition[sample.index] else { continue }
                let size = Double(files[sample.index].size)
                webp[position] = size - Double(sample.webpBytes)
                shrink[position] = sample.downscaledBytes.map { size - Double($0) } ?? 0
            }
            let webpEstimate = StratifiedSample.estimate(strata: strata, measured: webp)
            let shrinkEstimate = StratifiedSample.estimate(strata: strata, measured: shrink)
            report.add("WebP", estimate: webpEstimate, files: images.count)
            report.add("downscale", estimate: shrinkEstimate, files: images.filter { files[$0].pixels > pixelBudget }.count)
            report.meanWebPSSIM = samples.map(\.webpSSIM).reduce(0, +) / Double(samples.count)
            report.lowestWebPSSIM = samples.map(\.webpSSIM).min()
            let shrunk = samples.compactMap(\.downscaleSSIM)
            report.meanDownscaleSSIM = shrunk.isEmpty ? nil : shrunk.reduce(0, +) / Double(shrunk.count)
        }
        if let heat {
            report.logLines = heat.lines
            report.heat = heat.windows(images.map { files[$0] })
            if let ninety = report.heat.first(where: { $0.days == 90 }) {
                let moved = Double(ninety.coldBytes)
                let gb = moved / 1e9
                report.savings.append(
                    Saving(
                        kind: "cold for 90 days, moved", bytes: moved, low: moved, high: moved, files: ninety.coldFiles,
                        money: prices.map { gb * ($0.perGBMonth - $0.coldPerGBMonth) }, kgCO2e: nil))
            }
        }
        return report
    }

    mutating func add(_ kind: String, counted bytes: Double, files: Int) {
        savings.append(Saving(kind: kind, bytes: bytes, low: bytes, high: bytes, files: files, money: money(bytes), kgCO2e: carbon(bytes)))
    }

    mutating func add(_ kind: String, estimate: StratifiedSample.Estimate, files: Int) {
        savings.append(
            Saving(
                kind: kind, bytes: estimate.total, low: estimate.low, high: estimate.high, files: files, money: money(estimate.total),
                kgCO2e: carbon(estimate.total)))
    }

    func money(_ bytes: Double) -> Double? { prices.map { bytes / 1e9 * $0.perGBMonth } }
    func carbon(_ bytes: Double) -> Double? { prices.map { bytes / 1e9 * $0.kgCO2ePerGBMonth } }
}
