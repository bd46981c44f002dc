import AlmanacStorage
import SQLKit

/// A database's schema as lines that compare across databases: tables and their columns with
/// types, nullability and defaults, indexes as PostgreSQL prints them, and constraints; the
/// patch ledger itself left out. What `migra` diffs, read from the catalogues.
enum SchemaSnapshot {
    static func read(_ database: Database) async throws -> [String] {
        var lines: [String] = []
        for row in try await database.sql.raw(
            """
            SELECT table_name AS t, column_name AS c, data_type AS d, is_nullable AS n, coalesce(column_default, '') AS f
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'almanac_patches'
            """
        ).all() {
            let (table, column) = (try row.decode(column: "t", as: String.self), try row.decode(column: "c", as: String.self))
            let nullable = try row.decode(column: "n", as: String.self) == "YES" ? "null" : "not null"
            let fallback = try row.decode(column: "f", as: String.self)
            let type = try row.decode(column: "d", as: String.self)
            lines.append("column \(table).\(column) \(type) \(nullable)" + (fallback.isEmpty ? "" : " default \(fallback)"))
        }
        for row in try await database.sql.raw(
            "SELECT indexname AS i, indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'almanac_patches'"
        ).all() {
            lines.append("index \(try row.decode(column: "i", as: String.self)): \(try row.decode(column: "d", as: String.self))")
        }
        for row in try await database.sql.raw(
            """
            SELECT c.conrelid::regclass::text AS t, c.conname AS n, pg_get_constraintdef(c.oid) AS d, c.convalidated AS v
            FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace
            WHERE s.nspname = 'public' AND c.conrelid <> 0 AND c.conrelid::regclass::text <> 'almanac_patches'
            """
        ).all() {
            let valid = try row.decode(column: "v", as: Bool.self) ? "" : " (not validated)"
            lines.append(
                "constraint \(try row.decode(column: "t", as: String.self)).\(try row.decode(column: "n", as: String.self)): "
                    + "\(try row.decode(column: "d", as: String.self))\(valid)")
        }
        return lines
    }
}
