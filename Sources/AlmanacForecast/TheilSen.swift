import AlmanacMetrics

/// Theil–Sen line: the median of all pairwise slopes, which ignores up to 29% of wild points,
/// and Sen's interval from the pairwise slopes' quantiles.
struct TheilSen {
    var slope: Double
    var slopeLow: Double
    var slopeHigh: Double
    /// Value of the line at `origin` (ms).
    var intercept: Double
    var origin: Int64

    /// Fits points (seconds since `origin`, value); nil for fewer than three points.
    init?(_ samples: [Sample], origin: Int64, confidence: Double, limit: Int = 80) {
        let points = Robust.thin(samples.filter { $0.value.isFinite }, to: limit)
        guard points.count >= 3 else { return nil }
        var slopes: [Double] = []
        slopes.reserveCapacity(points.count * (points.count - 1) / 2)
        for i in 0..<points.count {
            for j in (i + 1)..<points.count where points[j].timestamp != points[i].timestamp {
                slopes.append((points[j].value - points[i].value) / (Double(points[j].timestamp - points[i].timestamp) / 1000))
            }
        }
        guard !slopes.isEmpty else { return nil }
        slopes.sort()
        func at(_ q: Double) -> Double { slopes[min(slopes.count - 1, max(0, Int(q * Double(slopes.count - 1))))] }
        slope = at(0.5)
        // Sen's interval uses the pairwise slopes' spread, narrowed for the number of points.
        let half = (1 - confidence) / 2
        let widen = 1 / Double(points.count).squareRoot()
        slopeLow = slope - (slope - at(half)) * widen * 3
        slopeHigh = slope + (at(1 - half) - slope) * widen * 3
        self.origin = origin
        let s = slope
        intercept = Robust.median(points.map { $0.value - s * Double($0.timestamp - origin) / 1000 })
    }

    func value(at time: Int64) -> Double { intercept + slope * Double(time - origin) / 1000 }
}
