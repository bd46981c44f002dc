import AlmanacOnCall
import AlmanacReporting
import AlmanacRuntime
import Hummingbird
import NIOCore

/// On-call calendars: an iCalendar feed per rotation and per person for signed-in viewers, and
/// the same behind a secret link for calendar programs, which cannot sign in. A wrong, unknown
/// or revoked secret gets 401 with no detail, and counts against the caller's address as a
/// failed sign-in does.
struct CalendarRoutes: Sendable {
    let files: ReloadingFiles<OnCallFiles>
    let links: CalendarLinks
    let throttle: SignInThrottle
    let renderer: PageRenderer
    let clock: WallClock

    static let templates = ["link": linkTemplate]

    func add(to groups: AccessGroups) {
        groups.viewers.get("/oncall/:rotation/calendar.ics") { _, context in
            try rotationFeed(try context.parameters.require("rotation"))
        }
        groups.viewers.get("/oncall/people/:person/calendar.ics") { _, context in
            try personFeed(try context.parameters.require("person"))
        }
        groups.open.get("/oncall/links/:secret/calendar.ics") { request, context in
            let address = context.address
            if let wait = throttle.retryAfter(address) {
                return Response(status: .tooManyRequests, headers: [.retryAfter: String(wait)])
            }
            guard let feed = try await links.feed(secret: try context.parameters.require("secret")) else {
                throttle.record(address)
                return Response(
                    status: .unauthorized, headers: [.contentType: "text/plain"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "not a calendar link\n")))
            }
            switch feed {
            case .rotation(let name): return try rotationFeed(name)
            case .person(let name): return try personFeed(name)
            }
        }
        let operators = groups.writers(.operate(team: nil))
        operators.post("/oncall/calendar-links") { request, context in
            let form = try await request.formFields(limit: 4096)
            let feed: CalendarLinks.Feed
            if let rotation = form["rotation"], !rotation.isEmpty {
                guard files.current.rotations.contains(where: { $0.name == rotation }) else {
                    throw RequestProblem("rotation", "no rotation named \(rotation)")
                }
                feed = .rotation(rotation)
            } else if let person = form["person"], !person.isEmpty {
                guard files.current.rotations.contains(where: { $0.layers.contains { $0.people.contains(person) } }) else {
                    throw RequestProblem("person", "\(person) is on no rotation")
                }
                feed = .person(person)
            } else {
                throw RequestProblem("rotation", "name a rotation or a person")
            }
            let made = try await links.create(feed, by: context.actor ?? "operator")
            let page = LinkPage(path: "/oncall/links/\(made.secret)/calendar.ics", feed: form["rotation"] ?? form["person"] ?? "")
            return renderer.page("link", title: "Calendar link", actor: context.actor, context: page, status: .created)
        }
        operators.post("/oncall/calendar-links/:id/revoke") { _, context in
            guard let id = Int64(try context.parameters.require("id")), try await links.revoke(id: id) else {
                throw HTTPError(.notFound, message: "no calendar link to revoke")
            }
            return PageRenderer.redirect("/oncall")
        }
    }

    struct LinkPage {
        var path, feed: String
    }

    static let linkTemplate = """
        <h1>Calendar link for {{feed}}</h1>
        <p>Subscribe to this address in a calendar program; it opens without signing in, so keep it
        as you would a password. It is shown only now; revoke it on <a href="/oncall">On call</a>.</p>
        <p><code id="link">{{path}}</code></p>
        """

    private func rotationFeed(_ name: String) throws -> Response {
        guard let rotation = files.current.rotations.first(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "no rotation named \(name)")
        }
        return calendar("On call: \(name)", shifts(rotation, person: nil))
    }

    private func personFeed(_ person: String) throws -> Response {
        let all = files.current.rotations.flatMap { shifts($0, person: person) }
        guard !all.isEmpty else { throw HTTPError(.notFound, message: "\(person) has no shift in the coming weeks") }
        return calendar("On call: \(person)", all.sorted { $0.span < $1.span })
    }

    /// The last four weeks and the coming twelve: enough for a calendar to show what was and will be.
    private func shifts(_ rotation: Rotation, person: String?) -> [Shift] {
        let now = clock.milliseconds()
        let week: Int64 = 7 * 86_400_000
        return rotation.shifts(from: now - 4 * week, to: now + 12 * week, available: files.current.available(in: rotation))
            .filter { person == nil || $0.person == person }
    }

    private func calendar(_ name: String, _ shifts: [Shift]) -> Response {
        let text = ICalendar.feed(name: name, shifts: shifts, host: "almanac", now: clock.milliseconds())
        return Response(
            status: .ok, headers: [.contentType: "text/calendar; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
