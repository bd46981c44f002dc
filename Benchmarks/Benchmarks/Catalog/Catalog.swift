import AlmanacCatalog
import AlmanacConfig
import Benchmark

/// Loading, validating and reporting on a generated catalogue of 5,000 entities (issue 4's goal:
/// under 1 s in a release build). The reference is parsing the same YAML into located nodes, the
/// least any loader of these files must do.
let benchmarks: @Sendable () -> Void = {
    let documents = Generated.catalogue(entities: 5000)
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(10), maxIterations: 20)

    Benchmark("reference: parse the YAML of 5,000 entities") { benchmark in
        for _ in benchmark.scaledIterations {
            for document in documents { blackHole(try? ConfigDocument.parseAll(document.text, file: document.file)) }
        }
    }
    Benchmark("load, validate and report on 5,000 entities") { benchmark in
        for _ in benchmark.scaledIterations {
            guard case .success(let catalog) = CatalogLoader.load(documents) else { fatalError("the generated catalogue must load") }
            let report = CatalogReport(catalog: catalog, monitored: ["service-1"], absent: catalog.people.first?.ref)
            blackHole(report.markdown())
        }
    }
}

/// A catalogue shaped like a large organisation's: groups, people with skills, systems, and
/// components and resources with dependencies, spread over files of 100 entities.
enum Generated {
    static func catalogue(entities: Int) -> [CatalogLoader.Document] {
        let technologies = (0..<60).map { "tech-\($0)" }
        var texts: [String] = []
        let groups = 20, people = 400, systems = 30
        for g in 0..<groups {
            texts.append(entity("Group", "team-\(g)", "  type: team\n  children: []\n"))
        }
        for p in 0..<people {
            let skills = (0..<4).map { "    \(technologies[(p * 7 + $0 * 13) % technologies.count]): \(["learning", "practised", "expert"][($0 + p) % 3])" }
            texts.append(entity("User", "person-\(p)", "  memberOf: [team-\(p % groups)]\n  skills:\n" + skills.joined(separator: "\n") + "\n"))
        }
        for s in 0..<systems {
            texts.append(entity("System", "system-\(s)", "  owner: team-\(s % groups)\n"))
        }
        let services = entities - groups - people - systems
        for i in 0..<services {
            let kind = i % 4 == 0 ? "Resource" : "Component"
            var spec = "  type: service\n" + (kind == "Component" ? "  lifecycle: production\n" : "") + "  owner: team-\(i % groups)\n  system: system-\(i % systems)\n"
            spec += "  tier: \(["critical-for-us", "critical-for-others", "peripheral"][i % 3])\n"
            spec += "  technologies: [\(technologies[i % 60]), \(technologies[(i * 3) % 60])]\n  servers: [host-\(i % 50)\(i % 5 == 0 ? "" : ", host-\((i + 1) % 50)")]\n"
            // Dependencies point to earlier services only, so there is no cycle.
            if i > 10 { spec += "  dependsOn: [\(serviceKind(i - 7)):service-\(i - 7), \(serviceKind(i / 2)):service-\(i / 2)]\n" }
            texts.append(entity(kind, "service-\(i)", spec))
        }
        return stride(from: 0, to: texts.count, by: 100).map { start in
            CatalogLoader.Document(file: "catalog/part-\(start / 100).yaml", text: texts[start..<min(start + 100, texts.count)].joined(separator: "---\n"))
        }
    }

    static func serviceKind(_ i: Int) -> String { i % 4 == 0 ? "resource" : "component" }

    static func entity(_ kind: String, _ name: String, _ spec: String) -> String {
        "apiVersion: backstage.io/v1alpha1\nkind: \(kind)\nmetadata:\n  name: \(name)\nspec:\n" + spec
    }
}
