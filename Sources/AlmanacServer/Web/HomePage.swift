import AlmanacRuntime
import Foundation

/// One thing that needs a person now, for the home page: what, how urgent, and where to act.
struct AttentionItem: Sendable {
    enum Level: String, Sendable { case critical, warning, info }

    var text: String
    var detail: String
    var link: String
    var level: Level

    init(_ text: String, detail: String = "", link: String, level: Level = .warning) {
        self.text = text
        self.detail = detail
        self.link = link
        self.level = level
    }
}

/// A domain's part of the home page: a heading, its items, what to say when there is none, and
/// the page that has the whole story.
struct AttentionSection: Sendable {
    var id: String
    var title: String
    var items: [AttentionItem]
    var none: String
    var more: NavigationEntry

    /// The section that says a domain could not be read, rather than hiding it.
    static func failed(id: String, title: String, more: NavigationEntry, _ error: any Error) -> AttentionSection {
        AttentionSection(
            id: id, title: title, items: [AttentionItem("could not be read: \(error)", link: more.path, level: .critical)], none: "", more: more)
    }
}

/// The home page: what needs attention now, every domain's sections in the header's order.
struct HomePage {
    struct Section {
        var id, title, none, moreTitle, morePath: String
        var items: [AttentionItem]
        var count: Int
        var empty: Bool
    }

    var sections: [Section]
    var total: Int
    var generated: String

    init(_ sections: [AttentionSection], now: Date) {
        self.sections = sections.map {
            Section(
                id: $0.id, title: $0.title, none: $0.none, moreTitle: $0.more.title, morePath: $0.more.path, items: $0.items,
                count: $0.items.count, empty: $0.items.isEmpty)
        }
        total = sections.reduce(0) { $0 + $1.items.count }
        generated = ISO8601DateFormatter().string(from: now)
    }

    static let template = """
        <h1>What needs attention <small>({{total}})</small></h1>
        <div class="home">{{#sections}}<section id="{{id}}"><h2>{{title}} <small>({{count}})</small></h2>
        {{#empty}}<p class="none">{{none}}</p>{{/empty}}{{^empty}}<ul>{{#items}}<li class="{{level}}"><a href="{{link}}">{{text}}</a>{{#detail}} <span class="detail">{{detail}}</span>{{/detail}}</li>{{/items}}</ul>{{/empty}}
        <p class="more"><a href="{{morePath}}">{{moreTitle}} →</a></p></section>{{/sections}}</div>
        <p class="generated">As of {{generated}}.</p>
        """
}
