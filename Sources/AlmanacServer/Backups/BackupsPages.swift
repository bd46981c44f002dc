import AlmanacBackups
import AlmanacConfig
import AlmanacReporting
import AlmanacRuntime
import Foundation
import Hummingbird

/// The backups page: each backup with its newest copy, its size against the one before, and its
/// last proven restore; one backup's receipts; a button that asks for a drill now.
struct BackupsPages: Sendable {
    let service: BackupService
    let renderer: PageRenderer
    static let templates = ["backups": listTemplate, "backup": backupTemplate]

    func add(to groups: AccessGroups) {
        groups.viewers.get("/backups") { _, context in
            let records = try await service.overview().map(BackupRecord.init)
            let rows = records.map { r -> [String] in
                let newest = r.status.newest
                return [
                    "<a href=\"\(HTML.link("/backups/", r.name))\">\(HTML.escape(r.name))</a>", HTML.escape(r.entity), r.kind,
                    r.status.problem.map { "<span class=\"status-critical\">cannot be read: \(HTML.escape($0))</span>" }
                        ?? newest.map { "\(HTML.escape($0.name)), \(Self.age(r.status.ageSeconds))" + (r.status.late ? " <b>late</b>" : "") }
                        ?? "<b>none</b>",
                    newest?.bytes.map { ReportFormat.number(Double($0)) + "B" } ?? "",
                    r.status.sizeChange.map { String(format: "%+.0f%%", $0 * 100) + (r.status.shrunk ? " <b>shrunk</b>" : "") } ?? "",
                    r.lastProven.map(Self.proof) ?? "<b>never</b>",
                    r.receipts.first.map { $0.passed ? "passed" : "<span class=\"status-critical\">failed</span>: " + HTML.escape(Self.why($0)) }
                        ?? "",
                ]
            }
            let table = Self.table(
                ["Backup", "Entity", "Kind", "Newest copy", "Size", "Change", "Last proven restore", "Last drill"], rows, id: "backups")
            return renderer.page(
                "backups", title: "Backups", actor: context.actor, context: ListPage(table: table, error: service.files.error, count: records.count))
        }
        groups.viewers.get("/backups/:name") { _, context in
            let name = try context.parameters.decoded("name")
            guard let record = try await service.overview().map(BackupRecord.init).first(where: { $0.name == name }) else {
                throw HTTPError(.notFound, message: "no backup named \(name)")
            }
            let rows = record.receipts.map { r -> [String] in
                [
                    ReportFormat.moment(r.startedAt), r.passed ? "passed" : "<span class=\"status-critical\">failed</span>",
                    HTML.escape(r.copy?.name ?? ""), r.restoreSeconds.map { String(format: "%.1f s", $0) } ?? "", Self.age(r.recoveryPointSeconds),
                    HTML.escape(Self.why(r)),
                ]
            }
            let table = Self.table(["When", "Result", "Copy", "Restore took", "Recovery point", "Checks"], rows, id: "receipts")
            let page = BackupPage(
                name: name, entity: record.entity, kind: record.kind, file: "\(record.file):\(record.line)", table: table,
                proven: record.lastProven.map(Self.proof) ?? "never", actor: context.actor)
            return renderer.page("backup", title: "Backup \(name)", actor: context.actor, context: page)
        }
        groups.writers(.operate(team: nil)).post("/backups/:name/drill") { _, context in
            let name = try context.parameters.decoded("name")
            try await service.requestDrill(name, by: context.actor ?? "")
            return PageRenderer.redirect("/backups/\(name)")
        }
    }

    static func proof(_ receipt: Receipt) -> String {
        var text = ReportFormat.moment(receipt.startedAt, seconds: false)
        if let seconds = receipt.restoreSeconds { text += String(format: ", restored in %.1f s", seconds) }
        if let point = receipt.recoveryPointSeconds { text += ", copy \(age(point)) old" }
        return text
    }

    struct ListPage {
        var table: String
        var error: String?
        var count: Int
    }

    struct BackupPage {
        var name, entity, kind, file, table, proven: String
        var actor: String?
    }

    static func why(_ receipt: Receipt) -> String {
        if let failure = receipt.failure { return failure }
        return receipt.outcomes.map { "\($0.passed ? "✔" : "✘") \($0.check): \($0.detail)" }.joined(separator: "; ")
    }

    static func age(_ seconds: Double?) -> String {
        guard let seconds else { return "" }
        return DurationText.span(Int64(seconds * 1000))
    }

    static func table(_ headers: [String], _ rows: [[String]], id: String) -> String { ChecksPages.table(headers, rows, id: id) }

    static let listTemplate = """
        <h1>Backups <small>{{count}}</small></h1>
        {{#error}}<p class="error">The backup files have a problem; the last good set is used: {{error}}</p>{{/error}}
        {{{table}}}
        <p>A copy is proven only by restoring it: each drill restores the newest copy into a throwaway place, checks it, and removes it.
        <a href="/api/v1/backups">JSON</a></p>
        """

    static let backupTemplate = """
        <h1>Backup {{name}} <small>{{kind}} · {{entity}}</small></h1>
        <p>Last proven restore: <span id="proven">{{proven}}</span> · <code>{{file}}</code></p>
        {{#actor}}<form method="post" action="/backups/{{name}}/drill"><button>Run a restore drill now</button></form>{{/actor}}
        <h2>Receipts</h2>
        {{{table}}}
        """
}
