import AlmanacConfig
import AlmanacFlags
import AlmanacRuntime
import ArgumentParser
import Foundation

struct Flags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check, evaluate and list flags; find stale ones; change them at run time.",
        subcommands: [Check.self, Eval.self, List.self, Stale.self, Disable.self, Enable.self, SetDefault.self, Pin.self, Unpin.self])

    /// Loads the repository's flags or fails with every error, one per line.
    static func load(_ directory: String, environment: String?) throws -> FlagSet {
        switch ConfigRepository(root: directory).load(environment: environment) {
        case .success(let set): return set
        case .failure(let errors):
            FileHandle.standardError.write(Data((errors.description + "\n").utf8))
            throw ExitCode(1)
        }
    }
}

extension Flags {
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate the flag files; report every error as file:line: field: message.")
        @Argument(help: "The config repository (default: --config).") var directory: String?
        @OptionGroup var common: CommonOptions
        @Option(help: "Check as this environment would serve.") var environment: String?

        func run() throws {
            let root = directory ?? common.config
            let files = ConfigRepository(root: root).flagFiles()
            let set = try Flags.load(root, environment: environment)
            // flagd serves these, so the server does too; CI should still stop on them.
            let warnings = set.warnings.map(\.description)
            switch common.format {
            case .json:
                print(
                    JSONWriter.string([
                        "ok": .bool(warnings.isEmpty), "flags": .int(Int64(set.flags.count)), "files": .int(Int64(files.count)),
                        "warnings": .array(warnings.map(JSONValue.string)),
                    ]))
            default:
                for warning in warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
                print(
                    warnings.isEmpty ? "ok: \(set.flags.count) flags in \(files.count) files" : "\(warnings.count) warnings in \(files.count) files")
            }
            if !warnings.isEmpty { throw ExitCode(1) }
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Evaluate one flag for a context, from the files alone.")
        @Argument(help: "The flag key.") var key: String
        @Option(help: "The evaluation context as a JSON object.") var context: String = "{}"
        @Option(help: "Evaluate as this environment would.") var environment: String?
        @OptionGroup var common: CommonOptions

        func run() throws {
            let parsed: JSONValue
            do { parsed = try JSONParser.parse(context) } catch { throw ValidationError("--context: \(error)") }
            guard case .object(let object) = parsed else { throw ValidationError("--context must be a JSON object") }
            let set = try Flags.load(common.config, environment: environment)
            let result = FlagEvaluator(flags: set).evaluate(key, context: object, timestamp: WallClock.system.seconds())
            let value = result.value.map(JSONWriter.string) ?? "(code default)"
            switch common.format {
            case .json:
                print(
                    JSONWriter.string([
                        "key": .string(key), "value": result.value ?? .null, "variant": result.variant.map(JSONValue.string) ?? .null,
                        "reason": .string(result.reason.rawValue), "error_code": result.errorCode.map { .string($0.rawValue) } ?? .null,
                    ]))
            case .markdown:
                print(
                    "| flag | value | variant | reason |\n|---|---|---|---|\n| \(key) | `\(value)` | \(result.variant ?? "") | \(result.reason.rawValue) |"
                )
            case .text, .html:
                if let code = result.errorCode {
                    print("\(key): \(code.rawValue): \(result.errorMessage ?? "")")
                } else {
                    print("\(key) = \(value) (variant \(result.variant ?? "none"), \(result.reason.rawValue))")
                }
            }
            if result.errorCode != nil { throw ExitCode(2) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the flags with their state, variants, owner and expiry.")
        @OptionGroup var common: CommonOptions
        @Option(help: "List as this environment would serve.") var environment: String?

        func run() throws {
            let set = try Flags.load(common.config, environment: environment)
            let flags = set.keys.map { set.flags[$0]! }
            switch common.format {
            case .json:
                print(
                    JSONWriter.string(
                        .array(
                            flags.map { flag in
                                [
                                    "key": .string(flag.key), "state": .string(flag.state.rawValue), "type": .string(flag.type.rawValue),
                                    "variants": .array(flag.variantNames.map(JSONValue.string)),
                                    "default_variant": flag.defaultVariant.map(JSONValue.string) ?? .null,
                                    "owner": flag.owner.map(JSONValue.string) ?? .null, "expires": flag.expires.map(JSONValue.string) ?? .null,
                                ]
                            })))
            case .markdown:
                print("| flag | state | type | variants | default | owner | expires |\n|---|---|---|---|---|---|---|")
                for f in flags {
                    print(
                        "| \(f.key) | \(f.state.rawValue) | \(f.type.rawValue) | \(f.variantNames.joined(separator: ", ")) | \(f.defaultVariant ?? "") | \(f.owner ?? "") | \(f.expires ?? "") |"
                    )
                }
            case .text, .html:
                let width = flags.map(\.key.count).max() ?? 4
                for f in flags {
                    let key = f.key.padding(toLength: width, withPad: " ", startingAt: 0)
                    print(
                        "\(key)  \(f.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(f.type.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  default=\(f.defaultVariant ?? "-")  owner=\(f.owner ?? "-")  expires=\(f.expires ?? "-")"
                    )
                }
            }
        }
    }
}
