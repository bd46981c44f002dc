import AlmanacRuntime
import Foundation

/// A progress bar on standard error for long commands: redrawn in place on a terminal, a line
/// every tenth of the way in a log (CI), with the rate and the time left.
struct ProgressBar {
    let label: String
    let total: Int64
    let clock = WallClock.system
    let started = WallClock.system.elapsed()
    private let redraws = isatty(STDERR_FILENO) == 1
    private var lastDrawn: Duration?
    private var lastTenth = -1

    /// Whether `done` and `total` count things (images, actions) rather than bytes.
    let counts: Bool

    init(label: String, total: Int64, counts: Bool = false) {
        self.label = label
        self.total = max(total, 1)
        self.counts = counts
    }

    mutating func update(done: Int64, detail: String, final: Bool = false) {
        let fraction = min(1, Double(done) / Double(total))
        let elapsed = (clock.elapsed() - started).inSeconds
        if redraws {
            guard final || lastDrawn.map({ clock.elapsed() - $0 > .milliseconds(200) }) ?? true else { return }
            lastDrawn = clock.elapsed()
        } else {
            let tenth = Int(fraction * 10)
            guard final || tenth > lastTenth else { return }
            lastTenth = tenth
        }
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let left = fraction > 0.01 && !final ? ", " + Self.duration(elapsed / fraction - elapsed) + " left" : ""
        let amount = counts ? "" : "\(Self.bytes(done))/\(Self.bytes(total)) "
        let text = "\(label) [\(bar)] \(Int(fraction * 100))% \(amount)\(detail), \(Self.duration(elapsed))\(left)"
        FileHandle.standardError.write(Data((redraws ? "\r\u{1B}[K" + text + (final ? "\n" : "") : text + "\n").utf8))
    }

    static func bytes(_ count: Int64) -> String {
        let units: [(Double, String)] = [(1_073_741_824, "GB"), (1_048_576, "MB"), (1024, "kB")]
        for (size, unit) in units where Double(count) >= size { return String(format: "%.1f %@", Double(count) / size, unit) }
        return "\(count) B"
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? "\(s / 3600) h \(s % 3600 / 60) min" : s >= 60 ? "\(s / 60) min \(s % 60) s" : "\(s) s"
    }
}
