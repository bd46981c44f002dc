import AlmanacAccess
import AlmanacRuntime
import Hummingbird

/// Who may call a route. README's access table gives every route's level, and a test walks
/// every registered route with each kind of caller against it.
public enum AccessLevel: String, Sendable, CaseIterable {
    /// Anyone: health, readiness, metrics, signing in, OFREP's configuration.
    case open = "public"
    /// OFREP: a client key when keys are configured.
    case client = "client key"
    /// Pins: a client key, or an operator of the flag's team.
    case pinWriter = "client key or team operator"
    /// Pages and API reads: anyone with a role (or a path `access.yaml` makes public).
    case viewer
    /// Acknowledgements, silences, QA, drills: an operator without an environment scope.
    case `operator`
    /// A flag's state and default variant: an operator of the flag's team.
    case teamOperator = "team operator"
    /// Rollouts: an operator of the environment.
    case environmentOperator = "environment operator"
    /// API tokens: an admin.
    case admin
}

/// Decides, before the handler runs, what a write wants to do: the route's parameters are
/// known by then (the flag's key, the environment, the rollout's id).
typealias ActionResolver = @Sendable (Request, AlmanacRequestContext) async throws -> AccessPolicy.Action

/// The access groups a domain adds its routes to; each carries the middleware of its level.
struct Access: Sendable {
    let service: AccessService
    let clientKeys: ClientKeys
    let limiter: RateLimiter

    func groups(_ routes: RouteCollection<AlmanacRequestContext>) -> AccessGroups {
        AccessGroups(access: self, routes: routes)
    }
}

/// A route collection's routes by access level.
struct AccessGroups {
    let access: Access
    let routes: RouteCollection<AlmanacRequestContext>

    var open: RouterGroup<AlmanacRequestContext> { routes.group() }
    var clients: RouterGroup<AlmanacRequestContext> {
        routes.group().add(middleware: RequireClient(keys: access.clientKeys, limiter: access.limiter))
    }
    /// Almanac's own API for apps (experiment events): the same keys, errors in the API's shape.
    var apiClients: RouterGroup<AlmanacRequestContext> {
        routes.group().add(middleware: RequireClient(keys: access.clientKeys, limiter: access.limiter, errorKey: "error"))
    }
    var viewers: RouterGroup<AlmanacRequestContext> { routes.group().add(middleware: RequireViewer(service: access.service)) }
    /// Writes that are allowed when the one authorisation check allows the resolved action.
    func writers(_ action: @escaping ActionResolver) -> RouterGroup<AlmanacRequestContext> {
        routes.group().add(middleware: Authorize(action: action))
    }
    func writers(_ action: AccessPolicy.Action) -> RouterGroup<AlmanacRequestContext> { writers { _, _ in action } }
    var admins: RouterGroup<AlmanacRequestContext> { writers(.administer) }
    /// Pins: a client key, or the same check as a flag change.
    func pinWriters(_ action: @escaping ActionResolver) -> RouterGroup<AlmanacRequestContext> {
        routes.group().add(middleware: Authorize(action: action, admitsClients: true))
    }
}
