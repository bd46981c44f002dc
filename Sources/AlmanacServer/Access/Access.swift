import Hummingbird

/// Who may call a route. README's access table gives every route's level, and a test walks
/// every registered route with each kind of caller against it.
public enum AccessLevel: String, Sendable, CaseIterable {
    /// Anyone: health, metrics, sign-in, and the pages (which show more to signed-in admins).
    case open = "public"
    /// OFREP: a client key when keys are configured.
    case client = "client key"
    /// Pins: a client key or an admin.
    case pinWriter = "client key or admin"
    /// The API: an admin token or an admin's session.
    case admin
    /// Form posts from the pages: a signed-in admin, same-site.
    case signedIn = "signed in"
}

/// The access groups a domain adds its routes to; each carries the middleware of its level.
struct Access: Sendable {
    let auth: Authenticator
    let limiter: RateLimiter

    /// The groups of one domain's route collection.
    func groups(_ routes: RouteCollection<AlmanacRequestContext>) -> AccessGroups {
        AccessGroups(
            open: routes.group(), clients: routes.group().add(middleware: RequireClient(auth: auth, limiter: limiter)),
            pinWriters: routes.group().add(middleware: RequirePinWriter()), admins: routes.group().add(middleware: RequireAdmin()),
            forms: routes.group().add(middleware: RequireSignedInForm()))
    }
}

/// A route collection's routes by access level.
struct AccessGroups {
    let open: RouterGroup<AlmanacRequestContext>
    let clients: RouterGroup<AlmanacRequestContext>
    let pinWriters: RouterGroup<AlmanacRequestContext>
    let admins: RouterGroup<AlmanacRequestContext>
    let forms: RouterGroup<AlmanacRequestContext>
}
