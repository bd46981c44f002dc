/// A problem in a config file, located so a person can go straight to it:
/// `flags/web.yaml:12: flags.new-checkout.defaultVariant: unknown variant 'onn'`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, as given to the loader (usually relative to the config repository).
    public var file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public var line: Int
    /// Dotted path of the field, empty for the whole document.
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        let place = line > 0 ? "\(file):\(line)" : file
        return field.isEmpty ? "\(place): \(message)" : "\(place): \(field): \(message)"
    }
}

/// Several config errors at once, so one reload reports every problem rather than the first.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// A config file's path in the repository and its text: what every loader reads.
public struct SourceText: Sendable {
    public var file: String
    public var text: String

    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}
