import AlmanacConfig

/// Reads one entity document, checking it as Backstage's validators do, plus Almanac's fields.
enum EntityParser {
    static let apiVersions: Set<String> = ["backstage.io/v1alpha1", "backstage.io/v1beta1"]

    /// What each kind's `spec` must hold (Backstage's schemas).
    static func required(_ kind: EntityKind) -> [String] {
        switch kind {
        case .component: return ["type", "lifecycle", "owner"]
        case .api: return ["type", "lifecycle", "owner", "definition"]
        case .resource: return ["type", "owner"]
        case .system, .domain: return ["owner"]
        case .group: return ["type", "children"]
        case .user: return ["memberOf"]
        case .location: return []
        }
    }

    static func parse(_ node: ConfigNode, errors: inout [ConfigError]) -> Entity? {
        func fail(_ at: ConfigNode, _ message: String) -> Entity? {
            errors.append(at.error(message))
            return nil
        }
        guard node.members != nil else { return fail(node, "an entity must be a mapping with apiVersion, kind, metadata and spec") }
        guard let version = node["apiVersion"]?.string else { return fail(node, "missing 'apiVersion'") }
        guard apiVersions.contains(version) else {
            return fail(node["apiVersion"]!, "'\(version)' is not a Backstage apiVersion (backstage.io/v1alpha1 or backstage.io/v1beta1)")
        }
        guard let kindText = node["kind"]?.string else { return fail(node, "missing 'kind'") }
        guard let kind = EntityKind(rawValue: kindText) else {
            return fail(node["kind"]!, "unknown kind '\(kindText)' (expected \(EntityKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let metadata = node["metadata"], metadata.members != nil else { return fail(node, "missing 'metadata'") }
        guard let nameNode = metadata["name"], let name = nameNode.string else { return fail(metadata, "missing 'name'") }
        guard Names.isValidName(name) else {
            return fail(nameNode, "'\(name)' is not a valid name: 1 to 63 letters or digits, separated by single -, _ or .")
        }
        let namespace = metadata["namespace"]?.string ?? "default"
        guard Names.isValidNamespace(namespace) else { return fail(metadata["namespace"]!, "'\(namespace)' is not a valid namespace") }
        var entity = Entity(ref: EntityRef(kind: kind, namespace: namespace, name: name), file: node.file, line: node.line)
        let before = errors.count
        entity.title = text(metadata["title"], &errors)
        entity.description = text(metadata["description"], &errors)
        for tag in metadata["tags"]?.elements ?? [] {
            guard let value = tag.string, Names.isValidTag(value) else {
                errors.append(tag.error("tags are lowercase letters, digits and :+#, separated by single dashes"))
                continue
            }
            entity.tags.append(value)
        }
        for link in metadata["links"]?.elements ?? [] {
            guard let url = link["url"]?.string else {
                errors.append(link.error("a link needs a 'url'"))
                continue
            }
            entity.links.append(EntityLink(url: url, title: link["title"]?.string))
        }
        let spec = node["spec"]
        if spec == nil && !required(kind).isEmpty { return fail(node, "missing 'spec'") }
        if let spec {
            for field in required(kind) where spec[field] == nil {
                errors.append(spec.error("missing '\(field)', which a \(kind.rawValue) needs"))
            }
            readSpec(spec, into: &entity, errors: &errors)
        }
        return errors.count == before ? entity : nil
    }

    static func text(_ node: ConfigNode?, _ errors: inout [ConfigError]) -> String? {
        guard let node else { return nil }
        guard let value = node.string else {
            errors.append(node.error("must be a string"))
            return nil
        }
        return value
    }

    static func strings(_ node: ConfigNode?, _ errors: inout [ConfigError]) -> [String] {
        guard let node else { return [] }
        guard let items = node.elements else {
            errors.append(node.error("must be a list"))
            return []
        }
        return items.compactMap { item in
            guard let value = item.string else {
                errors.append(item.error("must be a string"))
                return nil
            }
            return value
        }
    }

    static func ref(_ node: ConfigNode?, _ kind: EntityKind?, _ namespace: String, _ errors: inout [ConfigError]) -> EntityRef? {
        guard let node, let text = text(node, &errors) else { return nil }
        switch EntityRef.parse(text, defaultKind: kind, defaultNamespace: namespace) {
        case .success(let ref): return ref
        case .failure(let problem):
            errors.append(node.error(problem.message))
            return nil
        }
    }

    static func refs(_ node: ConfigNode?, _ kind: EntityKind?, _ namespace: String, _ errors: inout [ConfigError]) -> [EntityRef] {
        guard let node else { return [] }
        guard let items = node.elements else {
            errors.append(node.error("must be a list of entity references"))
            return []
        }
        return items.compactMap { ref($0, kind, namespace, &errors) }
    }

    static func readSpec(_ spec: ConfigNode, into entity: inout Entity, errors: inout [ConfigError]) {
        let ns = entity.ref.namespace
        entity.type = text(spec["type"], &errors)
        entity.lifecycle = text(spec["lifecycle"], &errors)
        entity.owner = ref(spec["owner"], .group, ns, &errors)
        entity.system = ref(spec["system"], .system, ns, &errors)
        entity.domain = ref(spec["domain"], .domain, ns, &errors)
        entity.subcomponentOf = ref(spec["subcomponentOf"], .component, ns, &errors)
        entity.dependsOn = refs(spec["dependsOn"], nil, ns, &errors)
        entity.providesApis = refs(spec["providesApis"], .api, ns, &errors)
        entity.consumesApis = refs(spec["consumesApis"], .api, ns, &errors)
        entity.memberOf = refs(spec["memberOf"], .group, ns, &errors)
        entity.parent = ref(spec["parent"], .group, ns, &errors)
        entity.children = refs(spec["children"], .group, ns, &errors)
        entity.members = refs(spec["members"], .user, ns, &errors)
        if let node = spec["tier"] {
            if let value = node.string, let tier = Tier(rawValue: value) {
                entity.tier = tier
            } else {
                errors.append(node.error("must be one of \(Tier.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        entity.technologies = strings(spec["technologies"], &errors).map { $0.lowercased() }
        entity.servers = strings(spec["servers"], &errors)
        entity.runbook = text(spec["runbook"], &errors)
        entity.availability = text(spec["availability"], &errors)
        if let skills = spec["skills"] {
            guard let members = skills.members else {
                errors.append(skills.error("must map technologies to a level (learning, practised, expert)"))
                return
            }
            for member in members {
                guard let value = member.value.string, let level = SkillLevel(rawValue: value) else {
                    errors.append(member.value.error("must be learning, practised or expert"))
                    continue
                }
                entity.skills[member.key.lowercased()] = level
            }
        }
    }
}
