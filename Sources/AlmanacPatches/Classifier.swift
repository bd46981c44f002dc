import AlmanacConfig

/// Classifies parsed statements by the locks PostgreSQL's documentation ("Explicit Locking" and
/// each command's page) says they take, and by whether they hold them while reading or
/// rewriting a table. What it does not know it treats as needing a window.
public enum Classifier {
    public static func classify(_ statement: SQLParser.Statement) -> StatementClass {
        guard let (type, node) = statement.tree.objectValue?.first else { return unknown("an empty statement") }
        switch type {
        case "CreateStmt":
            var out = StatementClass.brief("CREATE TABLE", nil, .accessShare)
            // A foreign key of a new table locks the table it references while the trigger is added.
            for referenced in node.all("pktable").compactMap(table) {
                out.locks.append(.init(table: referenced, mode: .shareRowExclusive))
            }
            return out
        case "CreateTableAsStmt", "ViewStmt", "CreateFunctionStmt", "CreateSeqStmt", "CreateEnumStmt", "CompositeTypeStmt", "DefineStmt",
            "CreateSchemaStmt", "CreateExtensionStmt", "GrantStmt", "AlterEnumStmt", "AlterSeqStmt", "VariableSetStmt", "CreateDomainStmt",
            "CreateRangeStmt", "AlterFunctionStmt", "AlterOwnerStmt", "CreatePolicyStmt", "SelectStmt":
            return .brief(kind(type), nil, .accessShare)
        case "TransactionStmt":
            var out = StatementClass.brief("transaction control", nil, .accessShare)
            out.notes.append("each patch runs in a transaction of its own; this statement is left out when it is applied")
            return out
        case "IndexStmt": return index(node)
        case "DropStmt": return drop(node)
        case "AlterTableStmt": return AlterTable.classify(node)
        case "RenameStmt":
            let what = node["renameType"]?.stringValue == "OBJECT_COLUMN" ? "column" : "table"
            return .brief(
                "RENAME \(what.uppercased())", table(node["relation"]), .accessExclusive,
                note: "renaming-\(what): code still running that reads the old name fails until it is gone")
        case "ReindexStmt":
            let concurrent = node.all("defname").contains { $0.stringValue == "concurrently" }
            if concurrent {
                var out = StatementClass.long("REINDEX CONCURRENTLY", table(node["relation"]), .shareUpdateExclusive, rewrites: true, why: "")
                out.transactional = false
                return out
            }
            return .long("REINDEX", table(node["relation"]), .share, rewrites: true, why: "writes wait until every index is rebuilt")
        case "ClusterStmt":
            return .long("CLUSTER", table(node["relation"]), .accessExclusive, rewrites: true, why: "the table is unreadable until it is rewritten")
        case "VacuumStmt":
            let full = node.all("defname").contains { $0.stringValue == "full" }
            let relation = node.all("relation").first.flatMap(table)
            if full {
                var out = StatementClass.long(
                    "VACUUM FULL", relation, .accessExclusive, rewrites: true, why: "the table is unreadable until it is rewritten")
                out.transactional = false
                return out
            }
            var out = StatementClass.brief(node["is_vacuumcmd"]?.boolValue == true ? "VACUUM" : "ANALYZE", relation, .shareUpdateExclusive)
            out.transactional = node["is_vacuumcmd"]?.boolValue != true
            return out
        case "TruncateStmt":
            return .long("TRUNCATE", node.all("relname").first?.stringValue, .accessExclusive, rewrites: true, why: "every row is removed")
        case "InsertStmt", "UpdateStmt", "DeleteStmt":
            var out = StatementClass.brief(kind(type), table(node["relation"]), .rowExclusive)
            out.notes.append("locks the rows it changes; a large data change is better done in batches outside the patch")
            return out
        case "LockStmt":
            let mode = LockMode.fromLockStatement(node["mode"]?.integer ?? 8)
            let tables = (node["relations"]?.arrayValue ?? []).compactMap { table($0["RangeVar"]) }
            var out = StatementClass.brief("LOCK TABLE", nil, mode)
            out.locks = tables.map { .init(table: $0, mode: mode) }
            if mode.blocksWrites { (out.verdict, out.reason) = (.cold, "\(mode.sql) until the patch ends, by request") }
            return out
        case "CreateTrigStmt": return .brief("CREATE TRIGGER", table(node["relation"]), .shareRowExclusive)
        case "CommentStmt":
            let names = (node["object"]?["List"]?["items"]?.arrayValue ?? []).compactMap { $0["String"]?["sval"]?.stringValue }
            let object = node["objtype"]?.stringValue
            let table =
                object == "OBJECT_TABLE" ? names.joined(separator: ".") : object == "OBJECT_COLUMN" ? names.dropLast().joined(separator: ".") : nil
            return .brief("COMMENT", table.flatMap { $0.isEmpty ? nil : $0 }, .shareUpdateExclusive)
        default: return unknown(kind(type))
        }
    }

    static func index(_ node: JSONValue) -> StatementClass {
        let unique = node["unique"]?.boolValue == true ? "UNIQUE " : ""
        if node["concurrent"]?.boolValue == true {
            var out = StatementClass.long(
                "CREATE \(unique)INDEX CONCURRENTLY", table(node["relation"]), .shareUpdateExclusive, rewrites: false, why: "")
            out.transactional = false
            out.notes.append("checked valid afterwards: a failed concurrent build leaves an invalid index behind")
            return out
        }
        var out = StatementClass.long(
            "CREATE \(unique)INDEX", table(node["relation"]), .share, rewrites: false, why: "writes wait until the index is built; use CONCURRENTLY")
        out.notes.append("require-concurrent-index-creation")
        return out
    }

    static func drop(_ node: JSONValue) -> StatementClass {
        let type = node["removeType"]?.stringValue ?? ""
        let names = (node["objects"]?.arrayValue ?? []).map { object in
            (object["List"]?["items"]?.arrayValue ?? []).compactMap { $0["String"]?["sval"]?.stringValue }.joined(separator: ".")
        }
        switch type {
        case "OBJECT_INDEX":
            // The lock falls on the index's table, which only the schema names.
            if node["concurrent"]?.boolValue == true {
                var out = StatementClass.brief("DROP INDEX CONCURRENTLY", names.first, .shareUpdateExclusive)
                out.locks = out.locks.map { .init(table: $0.table, mode: $0.mode, ofIndex: true) }
                out.transactional = false
                return out
            }
            var out = StatementClass.brief(
                "DROP INDEX", names.first, .accessExclusive,
                note: "require-concurrent-index-deletion: waits behind every query of the table, and queries wait behind it")
            out.locks = out.locks.map { .init(table: $0.table, mode: $0.mode, ofIndex: true) }
            return out
        case "OBJECT_TABLE":
            return .brief("DROP TABLE", names.first, .accessExclusive, note: "ban-drop-table: code still running that uses it fails")
        default:
            return .brief("DROP " + type.replacingOccurrences(of: "OBJECT_", with: ""), nil, .accessExclusive)
        }
    }

    static func unknown(_ kind: String) -> StatementClass {
        StatementClass(kind: kind, locks: [], verdict: .cold, reason: "not a statement Almanac knows the locks of: treated as needing a window")
    }

    /// `IndexStmt` → `INDEX STMT`; only for statements without a better name.
    static func kind(_ type: String) -> String {
        let known = [
            "InsertStmt": "INSERT", "UpdateStmt": "UPDATE", "DeleteStmt": "DELETE", "SelectStmt": "SELECT", "ViewStmt": "CREATE VIEW",
            "CreateFunctionStmt": "CREATE FUNCTION", "CreateSeqStmt": "CREATE SEQUENCE", "CreateEnumStmt": "CREATE TYPE AS ENUM",
            "CreateExtensionStmt": "CREATE EXTENSION", "GrantStmt": "GRANT", "CreateTableAsStmt": "CREATE TABLE AS",
            "CreateSchemaStmt": "CREATE SCHEMA",
            "AlterEnumStmt": "ALTER TYPE ADD VALUE", "VariableSetStmt": "SET",
        ]
        return known[type] ?? type.replacingOccurrences(of: "Stmt", with: "").uppercased()
    }

    /// `schema.table` of a RangeVar node (or of the node holding one).
    static func table(_ node: JSONValue?) -> String? {
        guard let node else { return nil }
        let range = node["RangeVar"] ?? node
        guard let name = range["relname"]?.stringValue else { return nil }
        return range["schemaname"]?.stringValue.map { "\($0).\(name)" } ?? name
    }
}

extension LockMode {
    /// LOCK TABLE's mode as the parse tree numbers it (1 = ACCESS SHARE … 8 = ACCESS EXCLUSIVE).
    static func fromLockStatement(_ number: Int) -> LockMode { allCases[max(0, min(7, number - 1))] }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { objectValue?[key] }

    var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Every value under `key` anywhere below this node, in document order.
    func all(_ key: String) -> [JSONValue] {
        switch self {
        case .object(let members):
            return members.keys.sorted().flatMap { name in (name == key ? [members[name]!] : []) + members[name]!.all(key) }
        case .array(let items): return items.flatMap { $0.all(key) }
        default: return []
        }
    }
}
