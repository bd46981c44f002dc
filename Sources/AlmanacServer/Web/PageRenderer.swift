import AlmanacRuntime
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Renders server-side HTML pages in one shared layout. Pages work without JavaScript:
/// every action is a plain form post.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    /// The page header's links, one or more per domain.
    let navigation: [NavigationEntry]

    /// Templates by name; each domain contributes its own.
    init(templates: [String: String], navigation: [NavigationEntry]) {
        self.navigation = navigation
        var library = MustacheLibrary()
        do {
            try library.register(Self.layout, named: "layout")
            try library.register(Self.messageTemplate, named: "message")
            for (name, text) in templates { try library.register(text, named: name) }
        } catch {
            preconditionFailure("page template does not compile: \(error)")
        }
        self.library = library
    }

    /// A full page: `template` rendered with `context` (a value whose stored properties the
    /// template names), inside the layout.
    func page(_ template: String, title: String, actor: String?, context: Any, status: HTTPResponse.Status = .ok) -> Response {
        let content = library.render(context, withTemplate: template) ?? ""
        let header = NavigationView(navigation, path: CurrentPath.value)
        let html = library.render(Layout(title: title, content: content, navigation: header, actor: actor), withTemplate: "layout") ?? ""
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// A page that only says why: a refused form, a missing page.
    func message(_ title: String, _ text: String, actor: String?, status: HTTPResponse.Status) -> Response {
        page("message", title: title, actor: actor, context: Message(heading: title, error: text), status: status)
    }

    static let messageTemplate = """
        <h1>{{heading}}</h1><p class="errors" id="error">{{error}}</p>
        """

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        redirect(location, cookies: cookie.map { [$0] } ?? [])
    }

    static func redirect(_ location: String, cookies: [String]) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// Pages said by middleware, before any domain's renderer: no header links.
    private static let bare = PageRenderer(templates: [:], navigation: [])

    /// The 403 page: who is signed in and what the action needs.
    static func forbidden(person: String, why: String) -> Response {
        bare.message("Not allowed", "You are signed in as \(person); \(why).", actor: person, status: .forbidden)
    }

    static func message(status: HTTPResponse.Status, title: String, text: String) -> Response {
        bare.message(title, text, actor: nil, status: status)
    }

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Almanac</title>
        <style>
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f7f7f5}
        header{background:#23313f;color:#fff;padding:.5rem 1.2rem;display:flex;flex-wrap:wrap;gap:.4rem 1.1rem;align-items:center}
        header a{color:#fff;text-decoration:none}header .who{margin-left:auto;opacity:.85}
        header nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center}
        header details{position:relative}header summary{cursor:pointer;list-style:none}header summary::-webkit-details-marker{display:none}
        header summary::after{content:" \\25BE";font-size:11px;opacity:.8}
        header .menu{position:absolute;z-index:10;left:-.6rem;top:1.7rem;background:#23313f;padding:.5rem .8rem;display:flex;flex-direction:column;gap:.35rem;min-width:11rem;border-radius:0 0 .3rem .3rem}
        header .current>summary,header a[aria-current]{text-decoration:underline;text-underline-offset:.3rem}
        header .search input{width:13rem;padding:.2rem .4rem;border:0;border-radius:.25rem}
        main{padding:1rem 1.2rem;max-width:72rem;overflow-wrap:anywhere}
        svg,img{max-width:100%;height:auto}td pre,td code{white-space:pre-wrap;overflow-wrap:anywhere}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.35rem .55rem;border-bottom:1px solid #e2e2dd;vertical-align:top}
        @media (max-width:48rem){header .menu{position:static;padding:.2rem 0 .2rem .8rem}header .search{order:3;flex-basis:100%}
        header .search input{width:100%;box-sizing:border-box}main{padding:.8rem}
        table{display:block;overflow-x:auto}td,th{overflow-wrap:normal;min-width:4rem}}
        th{background:#eceae4;font-weight:600}code,pre{font:13px ui-monospace,monospace}pre{background:#fff;padding:.6rem;overflow:auto;border:1px solid #e2e2dd}
        .tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:12px;margin-right:.2rem}
        .ENABLED{background:#d8f0dc}.DISABLED{background:#f6d5d5}.stale{background:#fbe8c4}
        .errors{background:#f6d5d5;padding:.6rem;border-radius:.3rem}
        form.inline{display:inline}button{cursor:pointer}
        .home{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(22rem,100%),1fr));gap:1rem}
        .home section{background:#fff;border:1px solid #e2e2dd;border-radius:.4rem;padding:.2rem .9rem}
        .home ul{padding-left:1.1rem}.home li.critical{color:#a11}.home li.critical a{color:#a11;font-weight:600}
        .home .detail,.home .none,.generated{color:#5b6570}
        </style></head>
        <body><header><strong>Almanac</strong><nav id="nav">{{#navigation.groups}}{{#single}}<a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{title}}</a>{{/single}}{{^single}}<details class="group{{#current}} current{{/current}}"><summary>{{title}}</summary><div class="menu">{{#entries}}<a href="{{path}}"{{#current}} aria-current="page"{{/current}}>{{title}}</a>{{/entries}}</div></details>{{/single}}{{/navigation.groups}}</nav>
        <form class="search" method="get" action="/search" role="search"><input type="search" name="q" placeholder="Find a flag, series, service, check, person" aria-label="Search"></form>
        <span class="who">{{#actor}}signed in as {{actor}} <form class="inline" method="post" action="/logout"><button>Sign out</button></form>{{/actor}}{{^actor}}<a href="/login">Sign in</a>{{/actor}}</span>
        </header><main>{{{content}}}</main></body></html>
        """
}

/// What the layout reads.
private struct Layout {
    var title: String
    var content: String
    var navigation: NavigationView
    var actor: String?
}

private struct Message {
    var heading: String
    var error: String
}
