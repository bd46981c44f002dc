import AlmanacConfig
import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Options of the commands that change flags through a running server's admin API.
struct RemoteOptions: ParsableArguments {
    @Option(help: "The server's base URL.") var server: String = "http://127.0.0.1:8080"
    @Option(help: "Why: kept in the audit log.") var comment: String = ""
    @Option(help: "Admin token (default: $ALMANAC_ADMIN_TOKEN, else DATA/admin-token).") var token: String?
    @Option(help: "The data directory holding a generated admin token.") var data: String = "data"

    /// Sends a request with the admin token; a body (with the comment added) for writes, none for reads.
    func send(_ method: String, _ path: String, _ body: [String: JSONValue]?) async throws {
        let token =
            token ?? ProcessInfo.processInfo.environment["ALMANAC_ADMIN_TOKEN"]
            ?? (try? String(contentsOfFile: data + "/admin-token", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let token, !token.isEmpty else { throw ValidationError("no admin token: pass --token or set ALMANAC_ADMIN_TOKEN") }
        guard let url = URL(string: server + path) else { throw ValidationError("--server is not a URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if var payload = body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            payload["comment"] = .string(comment)
            request.httpBody = Data(JSONWriter.string(.object(payload)).utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: data, as: UTF8.self)
        guard (200..<300).contains(status) else {
            FileHandle.standardError.write(Data("error \(status): \(text)\n".utf8))
            throw ExitCode(1)
        }
        print(text)
    }
}

private func escaped(_ key: String) -> String { key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key }

extension Flags {
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Kill switch: stop serving a flag (callers get their code default).")
        @Argument var key: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("PUT", "/api/v1/flags/\(escaped(key))/state", ["state": "DISABLED"]) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a disabled flag again.")
        @Argument var key: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("PUT", "/api/v1/flags/\(escaped(key))/state", ["state": "ENABLED"]) }
    }

    struct SetDefault: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "default", abstract: "Serve another default variant ('-' returns to the file's).")
        @Argument var key: String
        @Argument var variant: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws {
            try await remote.send("PUT", "/api/v1/flags/\(escaped(key))/default-variant", ["variant": variant == "-" ? .null : .string(variant)])
        }
    }

    struct Pin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pin a variant for a user (user:ID) or team (team:NAME).")
        @Argument var key: String
        @Argument var subject: String
        @Argument var variant: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws {
            try await remote.send("PUT", "/api/v1/flags/\(escaped(key))/pins", ["subject": .string(subject), "variant": .string(variant)])
        }
    }

    struct Unpin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user's or team's pin.")
        @Argument var key: String
        @Argument var subject: String
        @OptionGroup var remote: RemoteOptions
        func run() async throws { try await remote.send("DELETE", "/api/v1/flags/\(escaped(key))/pins", ["subject": .string(subject)]) }
    }
}
