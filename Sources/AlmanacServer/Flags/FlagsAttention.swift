import AlmanacFlags
import AlmanacRuntime

/// The flags' part of the home page: flags that look stale, one line a flag, expired ones first.
extension FlagsDomain {
    static let homeLimit = 8

    func attention() async -> [AttentionSection] {
        let more = NavigationEntry(title: "Flags", path: "/flags")
        do {
            let findings = Dictionary(grouping: try await flags.overview().findings, by: \.flagKey)
            let order: [StaleFinding.Kind] = [.expired, .singleVariant, .unused]
            let ranked = findings.sorted { a, b in
                let rank = { (list: [StaleFinding]) in list.compactMap { order.firstIndex(of: $0.kind) }.min() ?? order.count }
                return (rank(a.value), a.key) < (rank(b.value), b.key)
            }
            var items = ranked.prefix(Self.homeLimit).map { key, list in
                AttentionItem(
                    "\(key): " + list.map(\.kind.rawValue).joined(separator: ", "),
                    detail: list.map(\.detail).joined(separator: "; ") + (list.first?.owner.map { ", owner \($0)" } ?? ""), link: "/flags/\(key)")
            }
            if ranked.count > Self.homeLimit {
                items.append(AttentionItem("and \(ranked.count - Self.homeLimit) more", link: "/flags", level: .info))
            }
            if let error = flags.reloadErrors.first {
                items.insert(
                    AttentionItem("flag files have errors; the last good set is served", detail: error, link: "/flags", level: .critical), at: 0)
            }
            return [AttentionSection(id: "attention-flags", title: "Stale flags", items: items, none: "No flag looks stale.", more: more)]
        } catch {
            return [.failed(id: "attention-flags", title: "Stale flags", more: more, error)]
        }
    }
}
