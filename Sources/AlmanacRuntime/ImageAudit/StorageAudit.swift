import AlmanacCosts
import AlmanacImages
import AlmanacStorage
import Foundation

/// The audit's settings, as `almanac storage audit` takes them.
public struct StorageAuditSettings: Sendable {
    /// Hamming distance (of 64 bits) under which two pHashes are near-duplicates; dHashes may differ by 4 more.
    public var threshold = 10
    public var sampleSize = 200
    public var seed: UInt64 = 1
    public var quality = 80
    public var jpegQuality = 85
    public var pixelBudget = 12_000_000
    public var logs: [String] = []
    public var urlPrefix = ""
    public var prices: StoragePrices?

    public init() {}
}

/// From the ledger to the report and the plan: duplicates, the sample re-encoded, heat from logs.
public struct StorageAudit: Sendable {
    public let files: [ImageRecord]
    public let duplicates: DuplicateGroups
    public let report: StorageReport
    /// Indices of images nobody requested in 90 days, when logs were read.
    public let cold: Set<Int>

    /// `sampling` is told how many of the sample are measured so far, and of how many.
    public static func make(
        ledger: AuditLedger, roots: [String], settings: StorageAuditSettings, sampling: (Int, Int) -> Void
    ) async throws -> StorageAudit {
        let files = try await ledger.files(under: roots.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let duplicates = DuplicateGroups.find(files, threshold: settings.threshold)
        let images = files.indices.filter { files[$0].isImage }
        let strata = StratifiedSample.strata(
            sizes: images.map { files[$0].size }, pixels: images.map { files[$0].pixels }, budget: settings.pixelBudget)
        let chosen = StratifiedSample.draw(strata: strata, count: settings.sampleSize, seed: settings.seed).map { images[$0] }
        let measurer = SampleMeasurer(quality: settings.quality, pixelBudget: settings.pixelBudget, jpegQuality: settings.jpegQuality)
        let samples = try await measurer.measure(chosen, files: files, ledger: ledger) { sampling($0, chosen.count) }
        var heat: AccessHeat?
        if !settings.logs.isEmpty {
            var read = AccessHeat(prefix: settings.urlPrefix)
            try AccessLogs.read(settings.logs, into: &read)
            heat = read
        }
        var report = StorageReport.make(
            files: files, duplicates: duplicates, images: images, strata: strata, samples: samples, heat: heat, prices: settings.prices,
            pixelBudget: settings.pixelBudget)
        report.settings = [
            "threshold": "\(settings.threshold)", "sample_size": "\(settings.sampleSize)", "seed": "\(settings.seed)",
            "webp_quality": "\(settings.quality)", "jpeg_quality": "\(settings.jpegQuality)", "pixel_budget": "\(settings.pixelBudget)",
        ]
        var cold = Set<Int>()
        if let heat {
            for index in images where heat.count(files[index].relative, days: 90, now: heat.newest) == 0 { cold.insert(index) }
        }
        return StorageAudit(files: files, duplicates: duplicates, report: report, cold: cold)
    }

    /// The plan of the kinds asked for.
    public func plan(
        kinds: Set<StoragePlan.Kind>, quarantine: String, coldDirectory: String?, settings: StorageAuditSettings
    ) -> StoragePlan {
        StoragePlan(
            quarantine: URL(fileURLWithPath: quarantine).standardizedFileURL.path,
            coldDirectory: coldDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }, quality: settings.quality,
            pixelBudget: settings.pixelBudget, jpegQuality: settings.jpegQuality,
            actions: StoragePlan.build(files: files, duplicates: duplicates, kinds: kinds, cold: cold, pixelBudget: settings.pixelBudget))
    }
}

extension StoragePrices {
    /// Prices of the disk `host` keeps the images on (its HDD price when it has HDDs, else SSD), the
    /// backup price as the cold tier's, and the disk's energy at the host's grid factor and PUE.
    public static func of(host name: String, in model: CostModel) -> StoragePrices? {
        guard let host = model.hosts.first(where: { $0.name == name }) else { return nil }
        let hdd = host.hddTB > 0
        let whPerTBHour = hdd ? model.coefficients.hddWhPerTBHour : model.coefficients.ssdWhPerTBHour
        let grams = model.grid[host.location] ?? 0
        let kgPerGBMonth = whPerTBHour / 1000 * 730 * host.pue / 1000 * grams / 1000
        return StoragePrices(
            currency: model.currency, perGBMonth: hdd ? model.hddPerGBMonth : model.ssdPerGBMonth, coldPerGBMonth: model.backupPerGBMonth,
            kgCO2ePerGBMonth: kgPerGBMonth)
    }
}
