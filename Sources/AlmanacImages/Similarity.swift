import Foundation

/// Grey pictures as the audit handles them: one byte per pixel, row by row.
public struct GreyImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height, "a grey image needs width × height bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Grey levels of 8-bit pixels with `bands` channels (grey, grey + alpha, RGB, RGB + alpha):
    /// Rec. 601 luma, and transparency blended onto white, as a page shows it.
    public static func levels(_ pixels: some RandomAccessCollection<UInt8>, bands: Int) -> [UInt8] {
        guard bands > 1 else { return Array(pixels) }
        var out = [UInt8](repeating: 0, count: pixels.count / bands)
        var index = pixels.startIndex
        for i in out.indices {
            var value: Int
            if bands >= 3 {
                let r = Int(pixels[index])
                let g = Int(pixels[pixels.index(index, offsetBy: 1)])
                let b = Int(pixels[pixels.index(index, offsetBy: 2)])
                value = (299 * r + 587 * g + 114 * b + 500) / 1000
            } else {
                value = Int(pixels[index])
            }
            if bands == 2 || bands == 4 {
                let alpha = Int(pixels[pixels.index(index, offsetBy: bands - 1)])
                value = (value * alpha + 255 * (255 - alpha) + 127) / 255
            }
            out[i] = UInt8(value)
            index = pixels.index(index, offsetBy: bands)
        }
        return out
    }

    /// Each output pixel is the mean of the input area it covers, fractions of pixels weighted by
    /// their overlap: the reduction a 9×8 dHash needs from the decoder's 32×32.
    public func averaged(toWidth outWidth: Int, height outHeight: Int) -> [Double] {
        averaged(centre: 1, toWidth: outWidth, height: outHeight)
    }

    /// The same over the centre of the picture, `centre` of its width and height (0.9: a 5% margin
    /// left out on each side), so a lightly cropped copy can be compared with the picture it came from.
    public func averaged(centre: Double, toWidth outWidth: Int, height outHeight: Int) -> [Double] {
        let columns = Self.weights(from: Double(width) * (1 - centre) / 2, span: Double(width) * centre, cells: width, to: outWidth)
        let rows = Self.weights(from: Double(height) * (1 - centre) / 2, span: Double(height) * centre, cells: height, to: outHeight)
        var out = [Double](repeating: 0, count: outWidth * outHeight)
        for (oy, rowWeights) in rows.enumerated() {
            for (ox, columnWeights) in columns.enumerated() {
                var sum = 0.0
                var weight = 0.0
                for (y, wy) in rowWeights {
                    for (x, wx) in columnWeights {
                        sum += Double(pixels[y * width + x]) * wy * wx
                        weight += wy * wx
                    }
                }
                out[oy * outWidth + ox] = sum / weight
            }
        }
        return out
    }

    /// For each output cell, the input cells it overlaps and by how much.
    static func weights(from origin: Double, span: Double, cells: Int, to outSize: Int) -> [[(Int, Double)]] {
        let scale = span / Double(outSize)
        return (0..<outSize).map { o in
            let start = origin + Double(o) * scale
            let end = start + scale
            return (Int(start)..<min(cells, Int(end.rounded(.up)))).compactMap { i in
                let overlap = min(end, Double(i + 1)) - max(start, Double(i))
                return overlap > 1e-9 ? (i, overlap) : nil
            }
        }
    }
}

/// The structural similarity index (Wang, Bovik, Sheikh and Simoncelli, 2004) with its usual
/// constants: an 11×11 Gaussian window of σ 1.5, K1 0.01, K2 0.03 over 8-bit levels. 1 is the
/// same picture; re-encodes people cannot tell apart usually score above 0.95.
public enum StructuralSimilarity {
    public static func index(_ a: GreyImage, _ b: GreyImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM compares pictures of the same size")
        let c1 = (0.01 * 255) * (0.01 * 255)
        let c2 = (0.03 * 255) * (0.03 * 255)
        let x = a.pixels.map(Double.init)
        let y = b.pixels.map(Double.init)
        let blur = { (values: [Double]) in gaussian(values, width: a.width, height: a.height) }
        let meanX = blur(x)
        let meanY = blur(y)
        let xx = blur(zip(x, x).map { $0 * $1 })
        let yy = blur(zip(y, y).map { $0 * $1 })
        let xy = blur(zip(x, y).map { $0 * $1 })
        var total = 0.0
        for i in x.indices {
            let mx = meanX[i]
            let my = meanY[i]
            let vx = xx[i] - mx * mx
            let vy = yy[i] - my * my
            let cov = xy[i] - mx * my
            total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        return x.isEmpty ? 1 : total / Double(x.count)
    }

    static let kernel: [Double] = {
        let raw = (-5...5).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }()

    /// A separable Gaussian blur; at the edges the window is cut and renormalised. Written over raw
    /// buffers: it is the audit's inner loop (five blurs of every sampled picture).
    static func gaussian(_ values: [Double], width: Int, height: Int) -> [Double] {
        var across = [Double](repeating: 0, count: values.count)
        var output = [Double](repeating: 0, count: values.count)
        kernel.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { input in
                across.withUnsafeMutableBufferPointer { row in
                    for y in 0..<height {
                        let base = y * width
                        for x in 0..<width {
                            var sum = 0.0
                            var weight = 0.0
                            for t in max(-5, -x)...min(5, width - 1 - x) {
                                sum += input[base + x + t] * k[t + 5]
                                weight += k[t + 5]
                            }
                            row[base + x] = sum / weight
                        }
                    }
                }
            }
            across.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    for y in 0..<height {
                        let low = max(-5, -y)
                        let high = min(5, height - 1 - y)
                        var weight = 0.0
                        for t in low...high { weight += k[t + 5] }
                        for x in 0..<width {
                            var sum = 0.0
                            for t in low...high { sum += input[(y + t) * width + x] * k[t + 5] }
                            out[y * width + x] = sum / weight
                        }
                    }
                }
            }
        }
        return output
    }
}
