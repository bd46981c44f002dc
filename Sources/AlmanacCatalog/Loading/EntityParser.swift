import AlmanacConfig

/// Reads one entity document, checking it as Backstage's validators do, plus Almanac's fields.
enum EntityParser {
    static let apiVersions: Set<String> = ["backstage.io/v1alpha1", "backstage.io/v1beta1"]

    /// What each kind's `spec` must hold (Backstage's schemas).
    /// What each core kind's `spec` must hold (Backstage's schemas); nothing for other kinds.
    static func required(_ kind: EntityKind, _ spec: ConfigNode?) -> [String] {
        switch kind {
        case .component: return ["type", "lifecycle", "owner"]
        // Newer Backstage accepts an API that names its `remotes` (an MCP server) instead.
        case .api: return ["type", "lifecycle", "owner"] + (spec?["remotes"] == nil ? ["definition"] : [])
        case .resource: return ["type", "owner"]
        case .system, .domain: return ["owner"]
        case .group: return ["type", "children"]
        case .user: return ["memberOf"]
        default: return []
        }
    }

    /// A plugin's kind names its own apiVersion; Backstage only asks that it be `group/version`.
    static func isPluginAPIVersion(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.contains(" ") }
    }

    static func parse(_ node: ConfigNode, errors: inout [ConfigError], warnings: inout [ConfigError]) -> Entity? {
        func fail(_ at: ConfigNode, _ message: String) -> Entity? {
            errors.append(at.error(message))
            return nil
        }
        guard node.members != nil else { return fail(node, "an entity must be a mapping with apiVersion, kind, metadata and spec") }
        guard let version = node["apiVersion"]?.string else { return fail(node, "missing 'apiVersion'") }
        guard let kindText = node["kind"]?.string else { return fail(node, "missing 'kind'") }
        guard let kind = EntityKind(caseInsensitive: kindText) else {
            return fail(node["kind"]!, "'\(kindText)' is not a kind: letters and digits, starting with a letter")
        }
        if kind.isCore {
            guard apiVersions.contains(version) else {
                return fail(node["apiVersion"]!, "'\(version)' is not a Backstage apiVersion (backstage.io/v1alpha1 or backstage.io/v1beta1)")
            }
        } else {
            guard isPluginAPIVersion(version) else { return fail(node["apiVersion"]!, "'\(version)' is not an apiVersion of the form group/version") }
            let core = EntityKind.core.map(\.rawValue).joined(separator: ", ")
            warnings.append(
                node["kind"]!.error(
                    "'\(kindText)' is not one of Backstage's core kinds (\(core)): loaded with its name, owner, relations and annotations"))
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
        if let annotations = metadata["annotations"] {
            for member in annotations.members ?? [] {
                guard let value = member.value.string else {
                    errors.append(member.value.error("an annotation's value must be a string"))
                    continue
                }
                entity.annotations[member.key] = value
            }
            if annotations.members == nil { errors.append(annotations.error("must map names to strings")) }
        }
        let spec = node["spec"]
        if spec == nil && !required(kind, nil).isEmpty { return fail(node, "missing 'spec'") }
        if let spec {
            for field in required(kind, spec) where spec[field] == nil {
                errors.append(spec.error("missing '\(field)', which \(kind.rawValue) entities need"))
            }
            readRelations(spec, into: &entity, errors: &errors)
            if kind.isCore { readSpec(spec, into: &entity, errors: &errors) }
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

    /// The fields every kind may carry, a plugin's too: what references and reports use.
    static func readRelations(_ spec: ConfigNode, into entity: inout Entity, errors: inout [ConfigError]) {
        let ns = entity.ref.namespace
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
    }

    /// The core kinds' own fields, and Almanac's.
    static func readSpec(_ spec: ConfigNode, into entity: inout Entity, errors: inout [ConfigError]) {
        entity.type = text(spec["type"], &errors)
        entity.lifecycle = text(spec["lifecycle"], &errors)
        entity.definition = text(spec["definition"], &errors)
        entity.email = text(spec["profile"]?["email"], &errors)
        for remote in spec["remotes"]?.elements ?? [] {
            guard let url = remote["url"]?.string ?? remote.string else {
                errors.append(remote.error("a remote needs a 'url'"))
                continue
            }
            entity.remotes.append(url)
        }
        if let remotes = spec["remotes"], remotes.elements == nil { errors.append(remotes.error("must be a list of remotes, each with a 'url'")) }
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
