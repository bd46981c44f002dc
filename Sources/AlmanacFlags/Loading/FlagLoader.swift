import AlmanacConfig
import AlmanacExperiments

/// Builds a `FlagSet` from the flag files of a config repository, for one environment.
///
/// All files are read and every problem is collected, so `almanac flags check` and a failed
/// reload list every mistake at once; a set is returned only when there are none.
public enum FlagLoader {
    public typealias Document = SourceText

    /// Parses, validates and compiles `documents` for `environment`.
    public static func load(_ documents: [Document], environment: String? = nil) -> Result<FlagSet, ConfigErrors> {
        var errors: [ConfigError] = []
        var definitions: [String: FlagDefinition] = [:]
        for document in documents {
            let root: ConfigNode
            do throws(ConfigError) {
                root = try ConfigDocument.parse(document.text, file: document.file)
            } catch {
                errors.append(error)
                continue
            }
            let parsed = FlagFileParser.parse(root, errors: &errors)
            // A file's metadata belongs to the flags of that file, as a flagd source's does.
            for var definition in parsed.flags {
                definition.metadata = parsed.metadata.merging(definition.metadata) { _, own in own }
                if let earlier = definitions[definition.key] {
                    errors.append(definition.node.error("flag '\(definition.key)' is already defined at \(earlier.node.file):\(earlier.node.line)"))
                    continue
                }
                definitions[definition.key] = definition
            }
        }
        var flags: [String: Flag] = [:]
        var warnings: [ConfigError] = []
        for definition in definitions.values {
            do throws(ConfigError) {
                flags[definition.key] = try build(definition, environment: environment, warnings: &warnings)
            } catch {
                errors.append(error)
            }
        }
        let order = { (a: ConfigError, b: ConfigError) in (a.file, a.line, a.field, a.message) < (b.file, b.line, b.field, b.message) }
        if !errors.isEmpty { return .failure(ConfigErrors(errors.sorted(by: order))) }
        var set = FlagSet(environment: environment, flags: flags)
        set.warnings = Array(Set(warnings)).sorted(by: order)
        return .success(set)
    }

    /// Applies the environment's overrides, then compiles scopes and targeting into one expression.
    static func build(_ definition: FlagDefinition, environment: String?, warnings: inout [ConfigError]) throws(ConfigError) -> Flag {
        var settings = definition.base
        if let environment, let override = definition.environments[environment] {
            if let state = override.state { settings.state = state }
            if let defaultVariant = override.defaultVariant { settings.defaultVariant = defaultVariant }
            if let targeting = override.targeting { settings.targeting = targeting }
            if let scopes = override.scopes { settings.scopes = scopes }
        }
        var compiler = RuleCompiler(evaluators: definition.evaluators)
        var targeting: Expression?
        var source: JSONValue?
        if let node = settings.targeting ?? nil {
            targeting = try compiler.compile(node)
            source = node.json
        }
        let problem = compiler.missingEvaluator.map { "Invalid targeting: unknown evaluator '\($0)' in $ref" }
        // Compile every environment's targeting too, so a mistake in one is caught whichever serves.
        for (name, override) in definition.environments where name != environment {
            if let node = override.targeting ?? nil { _ = try compiler.compile(node) }
        }
        warnings += compiler.warnings
        let scopes = settings.scopes ?? []
        var combined = ScopeCompiler.compile(scopes, environment: environment, fallback: targeting)
        // A user who opted out of the experiment gets its control, before any scope or rule.
        if let experiment = definition.experiment, let attribute = experiment.optOut {
            let optedOut = Expression.operation(
                .truthy, [.variable(path: RuleCompiler.split(.string(attribute)), key: .string(attribute), fallback: nil)])
            combined = .operation(.if, [optedOut, .literal(.string(experiment.control)), combined ?? .literal(.null)])
        }
        return Flag(
            key: definition.key, state: settings.state ?? .enabled, type: definition.type, variants: definition.variants,
            defaultVariant: settings.defaultVariant ?? nil, targetingSource: source,
            targetingText: source.map { RuleText.describe($0, evaluators: definition.evaluators.mapValues(\.json)) }, targeting: combined,
            metadata: definition.metadata, owner: definition.owner, description: definition.description,
            expires: definition.expires, scopes: scopes, environments: definition.environments.keys.sorted(),
            source: SourceLocation(file: definition.node.file, line: definition.node.line), targetingProblem: problem,
            experiment: definition.experiment, ramp: definition.ramp)
    }
}
