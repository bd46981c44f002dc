import AlmanacMetrics
import Foundation

/// Least squares of `base + scale × e^(rate × days)`: for each rate of a grid the other two are
/// a straight line in e^(rate × days), so the search is a few dozen linear fits over at most 240
/// points (evenly thinned; compounding is smooth). Written here because no package on this
/// machine fits curves.
struct CurveSearch {
    struct Fit {
        var curve: Acceleration.Curve
        var sse: Double
    }

    let fits: [Fit]
    let best: Fit
    let count: Int
    /// The residuals' lag-one inflation of the rate's error.
    let inflation: Double

    /// Growth rates from 0.2% to 40% a day, compounding.
    static let rates: [Double] = (0...47).map { 0.002 * pow(200, Double($0) / 47) }

    init?(_ samples: [Sample], origin: Int64) {
        let points = Robust.thin(samples, to: 240)
        guard points.count >= 12 else { return nil }
        let days = points.map { Double($0.timestamp - origin) / 86_400_000 }
        let values = points.map(\.value)
        func fit(_ rate: Double) -> Fit? {
            let u = days.map { exp(rate * $0) }
            let n = Double(u.count)
            let (mu, my) = (u.reduce(0, +) / n, values.reduce(0, +) / n)
            var (suu, suy, syy) = (0.0, 0.0, 0.0)
            for i in u.indices {
                let (du, dy) = (u[i] - mu, values[i] - my)
                suu += du * du
                suy += du * dy
                syy += dy * dy
            }
            guard suu > 0, suy > 0 else { return nil }
            let scale = suy / suu
            return Fit(curve: .init(rate: rate, base: my - scale * mu, scale: scale), sse: max(0, syy - scale * suy))
        }
        var fits = Self.rates.compactMap(fit)
        guard let coarse = fits.min(by: { $0.sse < $1.sse }) else { return nil }
        // A finer grid between the best rate's neighbours, for the interval's profile, then a
        // golden-section search there: a rate 1% off moves a crossing 40 days out by 9 hours.
        let step = pow(200, 1.0 / 47)
        fits += (1...15).compactMap { fit(coarse.curve.rate / step * pow(step * step, Double($0) / 16)) }
        var (a, b) = (coarse.curve.rate / step, coarse.curve.rate * step)
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<40 where b - a > 1e-9 * b {
            let (c, d) = (b - ratio * (b - a), a + ratio * (b - a))
            if (fit(c)?.sse ?? .infinity) < (fit(d)?.sse ?? .infinity) { b = d } else { a = c }
        }
        if let refined = fit((a + b) / 2) { fits.append(refined) }
        fits.sort { $0.curve.rate < $1.curve.rate }
        self.fits = fits
        let best = fits.min { $0.sse < $1.sse }!
        self.best = best
        count = points.count
        inflation = SlopeChange.inflation(zip(days, values).map { $1 - best.curve.value(days: $0) })
    }

    /// The slowest and fastest curves whose fit is within `z` standard errors of the best (the
    /// profile of the sum of squares), with the residuals' autocorrelation widening it.
    func interval(z: Double) -> (low: Acceleration.Curve, high: Acceleration.Curve) {
        let variance = best.sse / Double(max(count - 3, 1)) * inflation * inflation
        let within = fits.filter { $0.sse - best.sse <= z * z * variance }
        return (within.first?.curve ?? best.curve, within.last?.curve ?? best.curve)
    }
}
