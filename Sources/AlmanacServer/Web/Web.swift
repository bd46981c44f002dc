import AlmanacCharts
import AlmanacRuntime
import Hummingbird
import ServiceLifecycle

/// What every domain's routes and pages share: the access groups, the page header's links and
/// the body size limit.
struct Web: Sendable {
    let access: Access
    let navigation: [NavigationEntry]
    let maximumBodyBytes: Int
    /// The injected clock: what pages and routes call now.
    let clock: WallClock
    /// Every domain's changes in a time range, for the markers on charts.
    let changes: @Sendable (_ from: Int64, _ to: Int64) async throws -> [ChartMarker]
    /// Failed credentials per address: sign-ins, tokens, and secret links alike.
    let throttle: SignInThrottle

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
    /// What this domain changed in production between `from` and `to` (rollouts, flag
    /// changes), marked on every chart of that time.
    func changes(from: Int64, to: Int64) async throws -> [ChartMarker]
    /// This domain's things whose name holds `query` (lowercased), for the header's search box.
    func search(_ query: String) async throws -> [SearchHit]
}

extension Domain {
    func attention() async -> [AttentionSection] { [] }
    func prepare() async throws {}
    func changes(from: Int64, to: Int64) async throws -> [ChartMarker] { [] }
    func search(_ query: String) async throws -> [SearchHit] { [] }
}
