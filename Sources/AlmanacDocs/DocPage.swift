import AlmanacCatalog
import AlmanacConfig
import Ink

/// One Markdown page of `docs/`, with what its front matter says:
///
/// ```markdown
/// ---
/// title: Restoring product images
/// entities: [resource:images, component:image-resizer]
/// tags: [runbook, zfs]
/// ---
/// # Restoring product images
/// ```
public struct DocPage: Sendable {
    /// `runbooks/images` for `docs/runbooks/images.md`.
    public var slug: String
    public var file: String
    public var title: String
    public var entities: [EntityRef]
    public var tags: [String]
    public var html: String
    /// The words, for search.
    public var text: String
}

/// Reads `docs/`: front matter checked (unknown fields, entities not in the catalogue) with
/// file and line, the body rendered by Ink.
public enum DocsLoader {
    public typealias Document = SourceText

    static let fields: Set<String> = ["title", "entities", "tags"]

    public static func load(_ documents: [Document], catalog: Catalog) -> Result<[DocPage], CatalogErrors> {
        var errors: [ConfigError] = []
        var pages: [DocPage] = []
        let parser = MarkdownParser()
        for document in documents {
            let (front, body) = split(document.text)
            var title: String?
            var entities: [EntityRef] = []
            var tags: [String] = []
            if let front {
                do {
                    let node = try ConfigDocument.parse(front, file: document.file).shifted(by: 1)
                    for member in node.members ?? [] where !fields.contains(member.key) {
                        errors.append(member.value.error("unknown field (expected title, entities or tags)"))
                    }
                    title = node["title"]?.string
                    tags = node["tags"]?.elements?.compactMap(\.string) ?? []
                    for item in node["entities"]?.elements ?? [] {
                        guard let text = item.string else { continue }
                        switch EntityRef.parse(text, defaultKind: .component, defaultNamespace: "default") {
                        case .failure(let problem): errors.append(item.error(problem.message))
                        case .success(let ref) where catalog[ref] == nil: errors.append(item.error("\(ref) is not in the catalogue"))
                        case .success(let ref): entities.append(ref)
                        }
                    }
                } catch {
                    var located = error
                    located.line += 1
                    errors.append(located)
                }
            }
            let html = parser.html(from: body)
            let slug = String(document.file.dropFirst(document.file.hasPrefix("docs/") ? 5 : 0).dropLast(document.file.hasSuffix(".md") ? 3 : 0))
            pages.append(
                DocPage(
                    slug: slug, file: document.file, title: title ?? firstHeading(body) ?? slug, entities: entities, tags: tags, html: html,
                    text: plainText(html)))
        }
        guard errors.isEmpty else { return .failure(CatalogErrors(errors.sorted { ($0.file, $0.line) < ($1.file, $1.line) })) }
        return .success(pages.sorted { $0.slug < $1.slug })
    }

    /// Front matter (between a first line `---` and the next `---`) and the body.
    static func split(_ text: String) -> (front: String?, body: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        else { return (nil, text) }
        return (lines[1..<end].joined(separator: "\n"), lines[(end + 1)...].joined(separator: "\n"))
    }

    static func firstHeading(_ body: String) -> String? {
        body.split(separator: "\n").first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
    }

    /// Tags dropped and entities kept as spaces: enough for word search.
    static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        for c in html {
            if c == "<" {
                inTag = true
                out.append(" ")
            } else if c == ">" {
                inTag = false
            } else if !inTag {
                out.append(c)
            }
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension ConfigNode {
    /// The same tree with every line moved by `offset` (front matter starts on a file's line 2).
    func shifted(by offset: Int) -> ConfigNode {
        var copy = self
        copy.line += offset
        switch content {
        case .mapping(let members): copy.content = .mapping(members.map { .init(key: $0.key, value: $0.value.shifted(by: offset)) })
        case .sequence(let items): copy.content = .sequence(items.map { $0.shifted(by: offset) })
        case .scalar: break
        }
        return copy
    }
}
