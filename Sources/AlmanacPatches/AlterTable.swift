import AlmanacConfig

/// ALTER TABLE, action by action: most take ACCESS EXCLUSIVE for a catalogue change only; some
/// hold it (or SHARE ROW EXCLUSIVE) while they read or rewrite every row.
enum AlterTable {
    /// Functions whose value differs row by row: a default that calls one rewrites the table.
    static let volatile: Set<String> = [
        "random", "clock_timestamp", "timeofday", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "nextval", "txid_current",
    ]

    static func classify(_ node: JSONValue) -> StatementClass {
        let table = Classifier.table(node["relation"])
        if node["objtype"]?.stringValue == "OBJECT_INDEX" { return .brief("ALTER INDEX", table, .accessExclusive) }
        let commands = (node["cmds"]?.arrayValue ?? []).compactMap { $0["AlterTableCmd"] }
        let parts = commands.map { command(table, $0) }
        guard parts.count > 1 else { return parts.first ?? .brief("ALTER TABLE", table, .accessExclusive) }
        return .combined("ALTER TABLE (" + parts.map(\.kind).joined(separator: ", ") + ")", parts)
    }

    static func command(_ table: String?, _ command: JSONValue) -> StatementClass {
        let subtype = command["subtype"]?.stringValue ?? ""
        switch subtype {
        case "AT_AddColumn": return addColumn(table, command["def"]?["ColumnDef"])
        case "AT_AlterColumnType":
            let type = (command["def"]?["ColumnDef"]?["typeName"]?["names"]?.arrayValue ?? []).last?["String"]?["sval"]?.stringValue ?? ""
            let sized = command["def"]?["ColumnDef"]?["typeName"]?["typmods"] != nil
            if ["text", "varchar"].contains(type) && !sized {
                // From varchar or text no row changes; from anything else the table is rewritten.
                return .brief(
                    "ALTER COLUMN TYPE \(type)", table, .accessExclusive,
                    note: "changing-column-type: no rewrite only when the column was varchar or text; its time on staging tells")
            }
            var out = StatementClass.long(
                "ALTER COLUMN TYPE \(type)", table, .accessExclusive, rewrites: true, why: "the table is unreadable until every row is rewritten")
            out.notes.append("changing-column-type")
            return out
        case "AT_SetNotNull":
            var out = StatementClass.long(
                "SET NOT NULL", table, .accessExclusive, rewrites: false,
                why: "every row is checked; add a CHECK (col IS NOT NULL) NOT VALID, validate it, then set NOT NULL")
            out.notes.append("setting-not-nullable-field: PostgreSQL skips the check when a validated CHECK constraint proves it")
            return out
        case "AT_DropNotNull":
            return .brief("DROP NOT NULL", table, .accessExclusive, note: "ban-drop-not-null: code that counts on the column being set may break")
        case "AT_ColumnDefault":
            if command["def"] != nil { return .brief("SET DEFAULT", table, .accessExclusive) }
            return .brief("DROP DEFAULT", table, .accessExclusive, note: "ban-drop-default: code that leaves the column out may break")
        case "AT_DropColumn":
            return .brief("DROP COLUMN", table, .accessExclusive, note: "ban-drop-column: code still running that reads the column fails")
        case "AT_AddConstraint": return constraint(table, command["def"]?["Constraint"])
        case "AT_ValidateConstraint":
            return .long("VALIDATE CONSTRAINT", table, .shareUpdateExclusive, rewrites: false, why: "")
        case "AT_DropConstraint":
            return .brief("DROP CONSTRAINT", table, .accessExclusive, note: "ban-drop-constraint: a guarantee code may rely on is gone")
        case "AT_SetStatistics", "AT_SetRelOptions", "AT_ResetRelOptions", "AT_ClusterOn", "AT_DropCluster":
            return .brief(name(subtype), table, .shareUpdateExclusive)
        case "AT_EnableTrig", "AT_DisableTrig", "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig", "AT_EnableTrigAll", "AT_DisableTrigAll",
            "AT_EnableTrigUser", "AT_DisableTrigUser":
            return .brief(name(subtype), table, .shareRowExclusive)
        case "AT_SetLogged", "AT_SetUnLogged", "AT_SetTableSpace":
            return .long(name(subtype), table, .accessExclusive, rewrites: true, why: "the table is unreadable until it is rewritten")
        case "AT_ReplicaIdentity", "AT_SetStorage", "AT_SetCompression", "AT_ChangeOwner", "AT_EnableRowSecurity", "AT_DisableRowSecurity":
            return .brief(name(subtype), table, .accessExclusive)
        default:
            var out = Classifier.unknown(name(subtype))
            out.locks = table.map { [.init(table: $0, mode: .accessExclusive)] } ?? []
            return out
        }
    }

    static func addColumn(_ table: String?, _ column: JSONValue?) -> StatementClass {
        let constraints = (column?["constraints"]?.arrayValue ?? []).compactMap { $0["Constraint"] }
        let type = (column?["typeName"]?["names"]?.arrayValue ?? []).last?["String"]?["sval"]?.stringValue ?? ""
        let defaults = constraints.filter { $0["contype"]?.stringValue == "CONSTR_DEFAULT" }
        let calls = defaults.flatMap { $0.all("funcname") }.flatMap { $0.arrayValue ?? [] }.compactMap { $0["String"]?["sval"]?.stringValue }
        let kinds = Set(constraints.compactMap { $0["contype"]?.stringValue })
        let why: String?
        if let call = calls.first(where: volatile.contains) {
            why = "its default \(call)() differs row by row, so every row is written"
        } else if ["serial", "bigserial", "smallserial"].contains(type) || kinds.contains("CONSTR_IDENTITY") {
            why = "a serial or identity column fills every row"
        } else if kinds.contains("CONSTR_GENERATED") {
            why = "a stored generated column is computed for every row"
        } else if kinds.contains("CONSTR_PRIMARY") || kinds.contains("CONSTR_UNIQUE") {
            why = "its unique index is built under the lock"
        } else if kinds.contains("CONSTR_FOREIGN") {
            why = "its foreign key is checked against every row"
        } else {
            why = nil
        }
        if let why {
            let rewrites = !why.contains("index") && !why.contains("foreign key")
            var out = StatementClass.long("ADD COLUMN", table, .accessExclusive, rewrites: rewrites, why: why)
            out.notes.append(
                kinds.contains("CONSTR_PRIMARY")
                    ? "adding-serial-primary-key-field"
                    : kinds.contains("CONSTR_FOREIGN") ? "adding-foreign-key-constraint" : "adding-field-with-default")
            for referenced in constraints.filter({ $0["contype"]?.stringValue == "CONSTR_FOREIGN" }).compactMap({ Classifier.table($0["pktable"]) }) {
                out.locks.append(.init(table: referenced, mode: .shareRowExclusive))
            }
            return out
        }
        var out = StatementClass.brief("ADD COLUMN", table, .accessExclusive)
        if kinds.contains("CONSTR_NOTNULL") && defaults.isEmpty {
            out.notes.append("adding-required-field: NOT NULL without a default fails on a table with rows")
        }
        return out
    }

    static func constraint(_ table: String?, _ constraint: JSONValue?) -> StatementClass {
        let type = constraint?["contype"]?.stringValue ?? ""
        let notValid = constraint?["skip_validation"]?.boolValue == true
        switch type {
        case "CONSTR_CHECK":
            if notValid { return .brief("ADD CHECK NOT VALID", table, .accessExclusive) }
            var out = StatementClass.long(
                "ADD CHECK", table, .accessExclusive, rewrites: false, why: "every row is checked; add it NOT VALID, then VALIDATE CONSTRAINT")
            out.notes.append("constraint-missing-not-valid")
            return out
        case "CONSTR_FOREIGN":
            let referenced = Classifier.table(constraint?["pktable"])
            var out =
                notValid
                ? StatementClass.brief("ADD FOREIGN KEY NOT VALID", table, .shareRowExclusive)
                : StatementClass.long(
                    "ADD FOREIGN KEY", table, .shareRowExclusive, rewrites: false,
                    why: "every row is checked; add it NOT VALID, then VALIDATE CONSTRAINT")
            if let referenced { out.locks.append(.init(table: referenced, mode: .shareRowExclusive)) }
            if !notValid { out.notes.append("adding-foreign-key-constraint") }
            return out
        case "CONSTR_UNIQUE", "CONSTR_PRIMARY":
            let what = type == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY"
            if constraint?["indexname"] != nil { return .brief("ADD \(what) USING INDEX", table, .accessExclusive) }
            var out = StatementClass.long(
                "ADD \(what)", table, .accessExclusive, rewrites: false,
                why: "its index is built under the lock; build it CONCURRENTLY, then ADD \(what) USING INDEX")
            out.notes.append(type == "CONSTR_UNIQUE" ? "disallowed-unique-constraint" : "adding-serial-primary-key-field")
            return out
        case "CONSTR_EXCLUSION":
            return .long("ADD EXCLUDE", table, .accessExclusive, rewrites: false, why: "its index is built under the lock")
        default:
            return Classifier.unknown("ADD CONSTRAINT")
        }
    }

    /// `AT_SetNotNull` → `SET NOT NULL`-style names for the rest.
    static func name(_ subtype: String) -> String {
        if subtype == "AT_SetUnLogged" { return "SET UNLOGGED" }
        return subtype.replacingOccurrences(of: "AT_", with: "").reduce(into: "") { out, c in
            if c.isUppercase && !out.isEmpty { out += " " }
            out += c.uppercased()
        }
    }
}
