import AlmanacCatalog
import AlmanacConfig
import Testing

@testable import AlmanacBackups

@Suite struct BackupTests {
    static let entities: Set<EntityRef> = [EntityRef(kind: .resource, name: "products-db"), EntityRef(kind: .resource, name: "images")]

    static func parse(_ yaml: String) throws -> [Backup] {
        try BackupFile.parse(try ConfigDocument.parse(yaml, file: "backups/all.yaml"), entities: entities)
    }

    static func problem(_ yaml: String) -> String {
        do {
            _ = try parse(yaml)
            return "parsed"
        } catch { return "\(error)" }
    }

    @Test func everyKindParsesWithItsDrill() throws {
        let backups = try Self.parse(
            """
            backups:
              - name: products-nightly
                entity: products-db
                postgres_dump: {directory: /var/backups/pg, pattern: "products-*.dump"}
                max_age: 26h
                shrink: 25%
                drill:
                  every: 7d
                  queries: [{sql: "select count(*) from products", at_least: 1000}, {sql: "select name from settings limit 1", expect: main}]
              - name: images
                entity: resource:images
                restic: {repository: /srv/restic/images, password_env: RESTIC_PASSWORD}
                drill: {every: 1d, files: [{path: srv/images/index.json, sha256: "\(String(repeating: "ab", count: 32))"}]}
            """)
        #expect(backups.map(\.kind) == ["postgres", "restic"])
        #expect(backups[0].maximumAge == 26 * 3_600_000 && backups[0].shrink == 0.25 && backups[1].shrink == 0.2)
        #expect(backups[0].drill?.queries.count == 2 && backups[0].drill?.every == 7 * 86_400_000)
        #expect(backups[1].drill?.files.first?.path == "srv/images/index.json")
    }

    @Test func mistakesSayWhere() {
        #expect(Self.problem("backups:\n  - {name: a, entity: ghost, files: {directory: /x}}\n").contains("backups/all.yaml:2"))
        #expect(Self.problem("backups:\n  - {name: a, entity: ghost, files: {directory: /x}}\n").contains("unknown entity 'ghost'"))
        #expect(Self.problem("backups:\n  - {name: a, entity: images, files: {directory: relative}}\n").contains("absolute path"))
        #expect(Self.problem("backups:\n  - {name: a, entity: images, restic: {repository: /r}}\n").contains("password_env"))
        #expect(Self.problem("backups:\n  - {name: a, entity: images, files: {directory: /x}, shrink: 20}\n").contains("percentage"))
        #expect(
            Self.problem("backups:\n  - {name: a, entity: images, files: {directory: /x}, drill: {every: 1d}}\n").contains("'queries' or 'files'"))
        #expect(
            Self.problem("backups:\n  - {name: a, entity: images, files: {directory: /x}, drill: {every: 1d, files: [{path: ../etc/passwd}]}}\n")
                .contains("relative to what was restored"))
        #expect(
            Self.problem("backups:\n  - {name: a, entity: images, files: {directory: /x}, drill: {every: 1d, queries: [{sql: x, expect: 1}]}}\n")
                .contains("need a postgres_dump"))
    }

    /// Age against the limit, and size against the copy before: 70 MB after 100 MB is 30% smaller.
    @Test func statusSaysLateAndShrunk() throws {
        let backup = try Self.parse("backups:\n  - {name: a, entity: images, files: {directory: /x}, max_age: 1d}\n")[0]
        let day: Int64 = 86_400_000
        let copies = [
            BackupCopy(name: "b.tar", time: 10 * day, bytes: 70_000_000), BackupCopy(name: "a.tar", time: 9 * day, bytes: 100_000_000),
        ]
        let fresh = BackupStatus(backup: backup, copies: copies, now: 10 * day + 3_600_000)
        #expect(fresh.newest?.name == "b.tar" && !fresh.late && fresh.ageSeconds == 3600)
        #expect(fresh.sizeChange.map { abs($0 + 0.3) < 1e-12 } == true && fresh.shrunk)
        #expect(BackupStatus(backup: backup, copies: copies, now: 11 * day + 1).late)
        #expect(BackupStatus(backup: backup, copies: [], now: 0).late, "no copy at all is late")
    }

    @Test func resticTimesInAnyOffset() throws {
        let json = """
            [{"time":"2026-11-26T14:00:00.123456789+01:00","id":"4f1b2c3d4e5f","paths":["/srv"]},
             {"time":"2026-11-26T13:30:00Z","id":"aa11bb22cc33","paths":["/srv"]}]
            """
        let copies = try ResticSnapshots.parse(json)
        #expect(copies.map(\.name) == ["4f1b2c3d", "aa11bb22"])
        #expect(copies[0].time == 1_795_698_000_123 && copies[1].time == 1_795_699_800_000, "13:00:00.123 UTC and 13:30 UTC")
        #expect(RFC3339.milliseconds("2026-11-26T14:00:00-05:30") == 1_795_721_400_000)
        #expect(RFC3339.milliseconds("yesterday") == nil)
    }

    @Test func queriesAreJudged() {
        #expect(Drill.Query(sql: "q", expect: nil, atLeast: 1000).judge("1500").passed)
        #expect(!Drill.Query(sql: "q", expect: nil, atLeast: 1000).judge("12").passed)
        #expect(Drill.Query(sql: "q", expect: "main", atLeast: nil).judge("main").passed)
        #expect(!Drill.Query(sql: "q", expect: "main", atLeast: nil).judge(nil).passed)
    }
}
