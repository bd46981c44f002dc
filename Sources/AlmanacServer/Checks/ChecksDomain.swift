import AlmanacChecks
import AlmanacReporting
import AlmanacRuntime
import AlmanacStorage
import Foundation
import Hummingbird
import Logging

/// Check and recover: the checks of `checks/*.yaml` run on their schedules (once per cluster),
/// their Nagios states, the series they make, and one timeline of what changed, as pages and JSON.
struct ChecksDomain: Domain {
    let files: ReloadingFiles<CheckFiles>
    let book: CheckBook
    let runner: CheckRunner
    let series: SeriesService

    /// `latestRollout` says in a line what was deployed last, for an escalation.
    init(
        _ configuration: ServerConfiguration, database: Database, monitoring: MonitoringDomain, catalog: CatalogDomain,
        latestRollout: @escaping @Sendable () async -> String, logger: Logger
    ) throws {
        let knowledge = catalog.knowledge
        // Entities are checked against the catalogue as it is when the checks load.
        files = try ReloadingFiles(
            configDirectory: configuration.configDirectory, folders: [CheckFile.folder], clock: configuration.clock, logger: logger
        ) { root in
            try CheckFiles.load(root, entities: Set(knowledge.current.catalog.entities.keys))
        }
        series = monitoring.reader
        book = CheckBook(heads: monitoring.heads, timeline: TimelineStore(database: database), logger: logger)
        let files = self.files
        runner = CheckRunner(
            checks: { files.current.checks },
            dependencies: { check in
                let needs = Set(knowledge.current.catalog.entities[check.entity]?.dependsOn ?? [])
                return files.current.checks.filter { needs.contains($0.entity) }
            },
            probes: CheckProbes(clock: configuration.clock, logger: logger), book: book,
            concurrentRecoveries: { files.current.concurrentRecoveries }, context: latestRollout, clock: configuration.clock, logger: logger)
    }

    var reloadables: [any Reloadable] { [files] }
    var jobs: [ClusterJob] { [ClusterJob("checks", runner)] }
    var navigation: [NavigationEntry] {
        [
            NavigationEntry(title: "Checks", path: "/checks", group: .monitoring),
            NavigationEntry(title: "Timeline", path: "/timeline", group: .monitoring),
        ]
    }

    func search(_ query: String) async throws -> [SearchHit] {
        files.current.checks.filter { $0.name.lowercased().contains(query) }.map {
            SearchHit(title: $0.name, kind: "check", path: "/checks/\($0.name)", detail: $0.entity.name)
        }
    }

    func attention() async -> [AttentionSection] {
        let more = NavigationEntry(title: "Checks", path: "/checks")
        do {
            let states = try await book.all()
            let items = files.current.checks.compactMap { check -> AttentionItem? in
                guard let state = states[check.name], state.hardProblem else { return nil }
                return AttentionItem(
                    "\(check.name): \(state.lastOutput)", detail: check.entity.shortText, link: "/checks/" + HTML.segment(check.name),
                    level: state.tracker.status == .critical ? .critical : .warning)
            }
            return [AttentionSection(id: "attention-checks", title: "Checks in a hard problem", items: items, none: "Every check is OK.", more: more)]
        } catch {
            return [AttentionSection.failed(id: "attention-checks", title: "Checks in a hard problem", more: more, error)]
        }
    }

    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext> {
        let routes = RouteCollection(context: AlmanacRequestContext.self)
        let groups = web.access.groups(routes)
        ChecksPages(
            files: files, book: book, series: series, renderer: web.renderer(ChecksPages.templates), changes: web.changes,
            clock: web.clock
        )
        .add(to: groups)
        groups.viewers.get("/api/v1/checks") { _, _ in
            let states = try await book.all()
            return try JSONResponse.encode(CheckList(checks: files.current.checks.map { CheckRecord($0, states[$0.name]) }))
        }
        groups.viewers.get("/api/v1/timeline") { request, _ in
            let check = request.uri.queryParameters.get("check")
            return try JSONResponse.encode(TimelineList(events: try await book.events(check: check, limit: 500)))
        }
        return routes
    }
}

struct CheckList: Encodable { var checks: [CheckRecord] }
struct TimelineList: Encodable { var events: [TimelineEvent] }

/// A check as the API shows it: what it probes and where it stands.
struct CheckRecord: Encodable {
    var name, entity, kind, file: String
    var line: Int
    var intervalSeconds: Double
    var attempts: Int
    var status: String?
    var stateType: String?
    var attempt: Int?
    var flapping: Bool
    var percentStateChange: Double
    var lastCheckedAt: Int64?
    var output: String?

    init(_ check: Check, _ progress: CheckProgress?) {
        name = check.name
        entity = check.entity.description
        kind = check.kind
        file = check.file
        line = check.line
        intervalSeconds = Double(check.interval) / 1000
        attempts = check.attempts
        status = progress?.lastStatus?.description
        stateType = progress.map { $0.tracker.type.rawValue }
        attempt = progress?.tracker.attempt
        flapping = progress?.flap.flapping ?? false
        percentStateChange = progress?.flap.percent ?? 0
        lastCheckedAt = progress?.lastAt
        output = progress?.lastOutput
    }
}
