import AlmanacCatalog
import AlmanacRuntime

/// The catalogue's part of the home page: critical services that rest on technologies fewer
/// than two people can handle.
extension CatalogDomain {
    func attention() async -> [AttentionSection] {
        let catalog = knowledge.current.catalog
        let items = Coverage(catalog: catalog).criticalAtRisk().map { risk in
            let thin = risk.thin.sorted { $0.key < $1.key }.map {
                "\($0.key) (\($0.value == 0 ? "nobody" : $0.value == 1 ? "one person" : "\($0.value) people"))"
            }
            let link = catalog.services.first { $0.ref.name == risk.service }.map { CatalogPages.link($0.ref) }
            return AttentionItem(
                "\(risk.service): \(thin.joined(separator: ", "))", detail: risk.tier.rawValue, link: link ?? "/catalog/report",
                level: risk.thin.values.contains(0) ? .critical : .warning)
        }
        return [
            AttentionSection(
                id: "attention-skills", title: "Skills gaps on critical services", items: items,
                none: "Every critical service has two people for each of its technologies.",
                more: .init(title: "Who knows what", path: "/catalog/report"))
        ]
    }
}
