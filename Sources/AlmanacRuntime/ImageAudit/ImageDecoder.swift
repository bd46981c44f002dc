import AlmanacImages
import AlmanacVips
import Foundation

/// Why an image could not be read or re-encoded, in libvips's words.
public struct ImageAuditError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// libvips behind Swift types. Every call is synchronous and thread-safe; the auditor runs one per core.
public enum ImageDecoder {
    private static let started: Bool = almanac_vips_start() == 0

    /// Starts libvips, or says why it cannot.
    public static func start() throws(ImageAuditError) {
        guard started else { throw ImageAuditError("libvips did not start (is libvips42 installed?)") }
    }

    public struct Header: Sendable, Equatable {
        public var format: String
        public var width: Int
        public var height: Int
    }

    /// Grey levels of the file reduced to `width` × `height` (shrink-on-load where the format has it).
    public static func grey(_ path: String, width: Int, height: Int) throws(ImageAuditError) -> GreyImage {
        var pixels = [UInt8](repeating: 0, count: width * height)
        var error = [CChar](repeating: 0, count: 512)
        guard almanac_vips_grey(path, Int32(width), Int32(height), &pixels, &error, error.count) == 0 else {
            throw ImageAuditError(Self.text(error))
        }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// The same for encoded bytes in memory.
    public static func grey(_ data: Data, width: Int, height: Int) throws(ImageAuditError) -> GreyImage {
        var pixels = [UInt8](repeating: 0, count: width * height)
        var error = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBytes { bytes in
            almanac_vips_grey_buffer(bytes.baseAddress, bytes.count, Int32(width), Int32(height), &pixels, &error, error.count)
        }
        guard status == 0 else { throw ImageAuditError(Self.text(error)) }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// Format, size, and the dHash and pHash of the whole picture and of its centre (90%), from one
    /// decode at reduced scale (JPEG's DCT shrink) averaged down to 32×32 (pHash) and 9×8 (dHash).
    /// From `data` when the caller has the bytes already (no second read, no file sniffing), else from `path`.
    public static func analyse(_ path: String, data: Data?) throws(ImageAuditError) -> (Header, NearDuplicates.Hashes) {
        var pixels: UnsafeMutablePointer<UInt8>?
        var loader = [CChar](repeating: 0, count: 64)
        var error = [CChar](repeating: 0, count: 512)
        var width: Int32 = 0
        var height: Int32 = 0
        var bands: Int32 = 1
        var fullWidth: Int32 = 0
        var fullHeight: Int32 = 0
        let status =
            data.map { data in
                data.withUnsafeBytes { bytes in
                    almanac_vips_decode_grey(
                        path, bytes.baseAddress, bytes.count, 64, &pixels, &bands, &width, &height, &fullWidth, &fullHeight, &loader, loader.count,
                        &error,
                        error.count)
                }
            }
            ?? almanac_vips_decode_grey(
                path, nil, 0, 64, &pixels, &bands, &width, &height, &fullWidth, &fullHeight, &loader, loader.count, &error, error.count)
        guard status == 0, let pixels else { throw ImageAuditError(Self.text(error)) }
        defer { almanac_vips_free(pixels) }
        let count = Int(width) * Int(height)
        let grey = GreyImage(
            width: Int(width), height: Int(height),
            pixels: GreyImage.levels(UnsafeBufferPointer(start: pixels, count: count * Int(bands)), bands: Int(bands)))
        func hashes(centre: Double) -> (UInt64, UInt64) {
            (
                PerceptualHash.dHash(grey.averaged(centre: centre, toWidth: 9, height: 8)),
                PerceptualHash.pHash(grey.averaged(centre: centre, toWidth: 32, height: 32))
            )
        }
        let whole = hashes(centre: 1)
        let centre = hashes(centre: 0.9)
        return (
            Header(format: Self.format(loader: Self.text(loader)), width: Int(fullWidth), height: Int(fullHeight)),
            NearDuplicates.Hashes(dHash: whole.0, pHash: whole.1, centreDHash: centre.0, centrePHash: centre.1)
        )
    }

    /// `jpegload_buffer` → `jpeg`.
    static func format(loader: String) -> String {
        for suffix in ["load_source", "load_buffer", "load"] where loader.hasSuffix(suffix) { return String(loader.dropLast(suffix.count)) }
        return loader
    }

    public enum Target: Sendable {
        case webp
        /// The file's own format: JPEG at the quality given, PNG lossless.
        case same
    }

    public struct Encoded: Sendable {
        public var data: Data
        public var width: Int
        public var height: Int
    }

    /// Re-encodes the file, first shrinking it with a Lanczos filter to at most `maxPixels` (0: no limit).
    public static func encode(_ path: String, to target: Target, quality: Int, maxPixels: Int) throws(ImageAuditError) -> Encoded {
        var data: UnsafeMutableRawPointer?
        var length = 0
        var width: Int32 = 0
        var height: Int32 = 0
        var error = [CChar](repeating: 0, count: 512)
        let format: Int32 = target == .webp ? 0 : 1
        guard
            almanac_vips_encode(path, format, Int32(quality), Double(maxPixels), &data, &length, &width, &height, &error, error.count) == 0,
            let data
        else { throw ImageAuditError(Self.text(error)) }
        defer { almanac_vips_free(data) }
        return Encoded(data: Data(bytes: data, count: length), width: Int(width), height: Int(height))
    }

    static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
