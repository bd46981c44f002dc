import Hummingbird

/// The header's seven groups: each domain files its pages under one, so the header stays one
/// line at 1280 px however many domains there are (17 links overflowed it).
enum NavigationGroup: String, CaseIterable, Sendable {
    case home = "Home"
    case flags = "Flags"
    case release = "Release"
    case monitoring = "Monitoring"
    case people = "Services & people"
    case capacity = "Capacity & cost"
    case admin = "Admin"
}

/// A link in the page header.
struct NavigationEntry: Sendable {
    var title: String
    var path: String
    var group: NavigationGroup = .home
}

/// What the layout's header reads: a group is one link when it has one page, else a menu that
/// opens without JavaScript (`<details>`); the group and page being shown are marked.
struct NavigationView {
    struct Link {
        var title, path: String
        var current: Bool
    }

    struct Group {
        var title: String
        var current: Bool
        var single: Link?
        var entries: [Link]
    }

    var groups: [Group]

    init(_ entries: [NavigationEntry], path: String) {
        func covers(_ target: String) -> Bool { target == "/" ? path == "/" : path == target || path.hasPrefix(target + "/") }
        // The longest path that covers the page is the one shown (/catalog/report, not /catalog).
        let shown = (entries.map(\.path) + ["/"]).filter(covers).max { $0.count < $1.count }
        groups = NavigationGroup.allCases.compactMap { group in
            var links = entries.filter { $0.group == group }.map { Link(title: $0.title, path: $0.path, current: $0.path == shown) }
            if group == .home { links.insert(Link(title: "Home", path: "/", current: shown == "/"), at: 0) }
            guard let first = links.first else { return nil }
            let current = links.contains(where: \.current)
            return Group(title: group.rawValue, current: current, single: links.count == 1 ? first : nil, entries: links.count == 1 ? [] : links)
        }
    }
}

/// The path of the request a page is rendered for, so the layout can mark where the reader is
/// without every page passing it along.
enum CurrentPath {
    @TaskLocal static var value = ""
}

struct CurrentPathMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await CurrentPath.$value.withValue(request.uri.path) { try await next(request, context) }
    }
}
