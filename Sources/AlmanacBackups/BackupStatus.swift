import Foundation

/// One copy of a backup as its source lists it: a file, or a restic snapshot.
public struct BackupCopy: Sendable, Hashable, Codable {
    /// The file's name or the snapshot's id.
    public var name: String
    public var time: Int64
    public var bytes: Int64?

    public init(name: String, time: Int64, bytes: Int64?) {
        self.name = name
        self.time = time
        self.bytes = bytes
    }
}

/// Where a backup stands: its newest copy's age against the limit, its size against the copy
/// before it, and its last proven restore.
public struct BackupStatus: Sendable, Hashable, Codable {
    public var newest: BackupCopy?
    public var previous: BackupCopy?
    public var ageSeconds: Double?
    public var late: Bool
    /// newest / previous − 1; nil without two sizes.
    public var sizeChange: Double?
    public var shrunk: Bool
    /// Why the state could not be read, when it could not.
    public var problem: String?

    public init(backup: Backup, copies: [BackupCopy], now: Int64) {
        let sorted = copies.sorted { $0.time > $1.time }
        newest = sorted.first
        previous = sorted.dropFirst().first
        ageSeconds = newest.map { Double(now - $0.time) / 1000 }
        late = newest.map { now - $0.time > backup.maximumAge } ?? true
        if let new = newest?.bytes, let old = previous?.bytes, old > 0 {
            sizeChange = Double(new) / Double(old) - 1
        }
        shrunk = sizeChange.map { $0 < -backup.shrink } ?? false
    }

    public init(problem: String) {
        late = true
        shrunk = false
        self.problem = problem
    }
}

/// restic's `snapshots --json`: an array of snapshots with their time (RFC 3339, nanoseconds,
/// any offset) and id.
public enum ResticSnapshots {
    struct Snapshot: Decodable {
        var time: String
        var id: String
    }

    public static func parse(_ json: String) throws -> [BackupCopy] {
        try JSONDecoder().decode([Snapshot].self, from: Data(json.utf8)).compactMap { snapshot in
            RFC3339.milliseconds(snapshot.time).map { BackupCopy(name: String(snapshot.id.prefix(8)), time: $0, bytes: nil) }
        }
    }
}

/// RFC 3339 times as Go writes them: fractions of any length, `Z` or an offset.
public enum RFC3339 {
    public static func milliseconds(_ text: String) -> Int64? {
        var body = Substring(text)
        var offset = 0
        if body.hasSuffix("Z") {
            body = body.dropLast()
        } else if let sign = body.lastIndex(where: { $0 == "+" || $0 == "-" }), body.distance(from: sign, to: body.endIndex) == 6 {
            let zone = body[body.index(after: sign)...].split(separator: ":")
            guard zone.count == 2, let hours = Int(zone[0]), let minutes = Int(zone[1]) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (body[sign] == "-" ? -1 : 1)
            body = body[..<sign]
        } else {
            return nil
        }
        var fraction = 0.0
        if let dot = body.firstIndex(of: ".") {
            fraction = Double("0" + body[dot...]) ?? 0
            body = body[..<dot]
        }
        let parts = body.split(whereSeparator: { "-T:".contains($0) }).compactMap { Int($0) }
        guard parts.count == 6 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day, components.hour, components.minute, components.second) = (
            parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]
        )
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: components) else { return nil }
        return Int64(((date.timeIntervalSince1970 - Double(offset)) + fraction) * 1000)
    }
}
