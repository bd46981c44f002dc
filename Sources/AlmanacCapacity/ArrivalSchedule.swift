/// When each request of an open-model test is due, in seconds from the start: arrival `n`
/// comes when the stages' integrated rate reaches `n`, so a ramp's arrivals bunch as it climbs.
public struct ArrivalSchedule: Sendable {
    struct Segment: Sendable {
        var stage: LoadTest.Stage
        var startTime: Double
        var startCount: Double
        var count: Double { (stage.from + stage.to) / 2 * stage.seconds }
    }

    let segments: [Segment]
    public let total: Int
    public let seconds: Double

    public init(_ stages: [LoadTest.Stage]) {
        var segments: [Segment] = []
        var time = 0.0
        var count = 0.0
        for stage in stages {
            let segment = Segment(stage: stage, startTime: time, startCount: count)
            segments.append(segment)
            time += stage.seconds
            count += segment.count
        }
        self.segments = segments
        total = Int(count.rounded(.down))
        seconds = time
    }

    /// The intended start of arrival `n` (0-based), nil past the last one.
    public func offset(_ n: Int) -> Double? {
        guard n < total else { return nil }
        let target = Double(n)
        guard let segment = segments.last(where: { $0.startCount <= target && $0.count > 0 }) else { return nil }
        let due = target - segment.startCount
        let a = segment.stage.from
        let b = segment.stage.to
        let length = segment.stage.seconds
        if a == b { return segment.startTime + due / a }
        // Solves a·t + (b−a)·t²/(2·length) = due for the stage's own time t.
        let k = (b - a) / (2 * length)
        let t = (-a + (a * a + 4 * k * due).squareRoot()) / (2 * k)
        return segment.startTime + min(max(t, 0), length)
    }
}
