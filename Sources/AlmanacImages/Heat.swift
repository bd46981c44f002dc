import Foundation

/// Hits per image from access logs, and which images nobody asked for in a window: the cold
/// set that could move to cheaper storage.
public struct AccessHeat: Sendable {
    public static let windows = [30, 90, 365]

    /// Per relative path, the request times (milliseconds) that were answered with success.
    public private(set) var hits: [String: [Int64]] = [:]
    public private(set) var newest: Int64 = 0
    public private(set) var oldest: Int64 = .max
    public private(set) var lines = 0
    public private(set) var unreadable = 0

    /// URL paths under `prefix` (`/images`) name files below the audited directories.
    public let prefix: String

    public init(prefix: String) {
        self.prefix = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
    }

    public mutating func add(_ line: Substring) {
        lines += 1
        guard let request = AccessLogLine.parse(line) else {
            unreadable += 1
            return
        }
        // Only what was served counts as wanted: 404s for missing files and errors are not heat.
        guard (200..<400).contains(request.status), request.path.hasPrefix(prefix + "/") else { return }
        let relative = String(request.path.dropFirst(prefix.count + 1))
        hits[Self.decoded(relative), default: []].append(request.time)
        newest = max(newest, request.time)
        oldest = min(oldest, request.time)
    }

    /// Requests in the `days` before `now`.
    public func count(_ relative: String, days: Int, now: Int64) -> Int {
        let since = now - Int64(days) * 86_400_000
        return hits[relative]?.filter { $0 > since && $0 <= now }.count ?? 0
    }

    /// Percent-escapes in a URL path (`%20`) back to the file's name.
    static func decoded(_ path: String) -> String {
        guard path.contains("%") else { return path }
        return path.removingPercentEncoding ?? path
    }

    public struct Window: Sendable, Equatable {
        public var days: Int
        public var hotFiles: Int
        public var hotBytes: Int64
        public var coldFiles: Int
        public var coldBytes: Int64
        /// Whether the logs reach back the whole window; a shorter log makes more images look cold.
        public var covered: Bool
    }

    /// The hot and cold sets of `files` for each window, ending at the newest request seen.
    public func windows(_ files: [ImageRecord]) -> [Window] {
        Self.windows.map { days in
            var window = Window(days: days, hotFiles: 0, hotBytes: 0, coldFiles: 0, coldBytes: 0, covered: false)
            window.covered = oldest <= newest - Int64(days - 1) * 86_400_000
            for file in files {
                if count(file.relative, days: days, now: newest) > 0 {
                    window.hotFiles += 1
                    window.hotBytes += file.size
                } else {
                    window.coldFiles += 1
                    window.coldBytes += file.size
                }
            }
            return window
        }
    }
}
