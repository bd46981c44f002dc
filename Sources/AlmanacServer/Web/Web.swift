import AlmanacRuntime
import Hummingbird
import ServiceLifecycle

/// What every domain's routes and pages share: the access groups, the page header's links and
/// the body size limit.
struct Web: Sendable {
    let access: Access
    let navigation: [NavigationEntry]
    let maximumBodyBytes: Int

    func renderer(_ templates: [String: String]) -> PageRenderer {
        PageRenderer(templates: templates, navigation: navigation)
    }
}

/// One domain at the HTTP edge and in the server: its files to reload, its background jobs,
/// its header links, and its routes and pages as one collection. Adding a domain is a type of
/// this kind and one line in `AlmanacServer`.
protocol Domain: Sendable {
    var reloadables: [any Reloadable] { get }
    var jobs: [ClusterJob] { get }
    var navigation: [NavigationEntry] { get }
    func routes(_ web: Web) -> RouteCollection<AlmanacRequestContext>
    /// What the home page lists for this domain: the things that need a person now.
    func attention() async -> [AttentionSection]
    /// Work before the server answers (a first start's data), after every domain is built.
    func prepare() async throws
}

extension Domain {
    func attention() async -> [AttentionSection] { [] }
    func prepare() async throws {}
}
