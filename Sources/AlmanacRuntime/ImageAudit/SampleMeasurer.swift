import AlmanacImages
import AlmanacStorage
import Foundation
import Synchronization

/// Re-encodes a stratified sample for real (WebP through libwebp, downscaling with Lanczos) and
/// measures bytes and structural similarity at display size. Results go to the ledger as they
/// come, so a second run (or one after a stop) measures only what is missing.
public struct SampleMeasurer: Sendable {
    public let quality: Int
    public let pixelBudget: Int
    public let jpegQuality: Int
    public let workers: Int
    /// The longest side the similarity is computed at: what a product page shows.
    public static let displaySide = 512

    public init(quality: Int, pixelBudget: Int, jpegQuality: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.quality = quality
        self.pixelBudget = pixelBudget
        self.jpegQuality = jpegQuality
        self.workers = max(1, workers)
    }

    /// The key measurements are stored under: a sample measured at another quality is not reused.
    public var settings: String { "webp_q\(quality)_budget\(pixelBudget)_jpeg_q\(jpegQuality)" }

    /// Measures `chosen` (indices into `files`), reusing the ledger's earlier measurements.
    public func measure(
        _ chosen: [Int], files: [ImageRecord], ledger: AuditLedger, progress: (Int) -> Void
    ) async throws -> [SampleMeasure] {
        try ImageDecoder.start()
        let known = try await ledger.samples(settings: settings)
        var out: [SampleMeasure] = []
        var todo: [Int] = []
        for index in chosen {
            if var sample = known[files[index].path] {
                sample.index = index
                out.append(sample)
            } else {
                todo.append(index)
            }
        }
        progress(out.count)
        for start in stride(from: 0, to: todo.count, by: workers * 2) {
            let batch = Array(todo[start..<min(todo.count, start + workers * 2)])
            let results = Mutex([Result<SampleMeasure, ImageAuditError>?](repeating: nil, count: batch.count))
            DispatchQueue.concurrentPerform(iterations: batch.count) { i in
                let result = Result { () throws(ImageAuditError) in try measure(files[batch[i]], index: batch[i]) }
                results.withLock { $0[i] = result }
            }
            for (i, result) in results.withLock({ $0 }).enumerated() {
                switch result {
                case .success(let sample)?:
                    try await ledger.record(sample: sample, path: files[batch[i]].path, settings: settings)
                    out.append(sample)
                case .failure(let error)?:
                    throw ImageAuditError("\(files[batch[i]].path): \(error.description)")
                case nil:
                    break
                }
            }
            progress(out.count)
        }
        return out.sorted { $0.index < $1.index }
    }

    func measure(_ file: ImageRecord, index: Int) throws(ImageAuditError) -> SampleMeasure {
        let (width, height) = Self.display(width: file.width, height: file.height)
        let reference = try ImageDecoder.grey(file.path, width: width, height: height)
        let webp = try ImageDecoder.encode(file.path, to: .webp, quality: quality, maxPixels: 0)
        let webpSSIM = StructuralSimilarity.index(reference, try ImageDecoder.grey(webp.data, width: width, height: height))
        var downscaled: Int64?
        var downscaleSSIM: Double?
        if file.pixels > pixelBudget {
            let shrunk = try ImageDecoder.encode(file.path, to: .same, quality: jpegQuality, maxPixels: pixelBudget)
            downscaled = Int64(shrunk.data.count)
            downscaleSSIM = StructuralSimilarity.index(reference, try ImageDecoder.grey(shrunk.data, width: width, height: height))
        }
        return SampleMeasure(
            index: index, webpBytes: Int64(webp.data.count), webpSSIM: webpSSIM, downscaledBytes: downscaled, downscaleSSIM: downscaleSSIM)
    }

    /// The picture's size with its longest side at most `displaySide`, keeping its proportions.
    static func display(width: Int, height: Int) -> (Int, Int) {
        let longest = max(width, height, 1)
        guard longest > displaySide else { return (max(1, width), max(1, height)) }
        let scale = Double(displaySide) / Double(longest)
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }
}
