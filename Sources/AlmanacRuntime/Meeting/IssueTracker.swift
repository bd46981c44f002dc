import AlmanacConfig
import AlmanacOnCall
import AsyncHTTPClient
import Foundation
import NIOCore

/// Files the meeting's items in the team's tracker through the GitHub issues API (which Gitea
/// and Forgejo also speak): an item whose issue is still open (found by the key hidden in its
/// body) gets that issue updated; a new item gets a new issue, labelled.
public struct IssueTracker: Sendable {
    /// `meeting.yaml` in the config repository:
    /// `tracker: {api: https://api.github.com/repos/OWNER/REPO, token_env: GITHUB_TOKEN, label: infrastructure-meeting}`.
    public struct Settings: Sendable {
        public var api: String
        public var tokenVariable: String?
        public var label: String

        public static func load(configDirectory: String) throws -> Settings? {
            let path = configDirectory + "/meeting.yaml"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let root = try ConfigDocument.parse(text, file: "meeting.yaml")
            try root.onlyFields(["tracker"])
            guard let tracker = root["tracker"] else { return nil }
            try tracker.onlyFields(["api", "token_env", "label"])
            guard let api = tracker["api"]?.string, api.hasPrefix("http") else {
                throw (tracker["api"] ?? tracker).error("needs 'api', the repository's issues API such as https://api.github.com/repos/OWNER/REPO")
            }
            return Settings(
                api: api.hasSuffix("/") ? String(api.dropLast()) : api, tokenVariable: tracker["token_env"]?.string,
                label: tracker["label"]?.string ?? "infrastructure-meeting")
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let settings: Settings
    let token: String?

    public init(settings: Settings, environment: [String: String]) {
        self.settings = settings
        token = settings.tokenVariable.flatMap { environment[$0] }
    }

    struct Issue: Decodable {
        var number: Int
        var body: String?
    }

    /// Returns how many issues were opened and how many updated.
    public func file(_ items: [MeetingItem], month: String) async throws -> (opened: Int, updated: Int) {
        let existing: [Issue] = try JSONDecoder().decode(
            [Issue].self, from: try await send("GET", "/issues?state=open&per_page=100&labels=\(URLEncoding.component(settings.label))", nil))
        var opened = 0
        var updated = 0
        for item in items {
            let body = item.issueBody(month: month)
            if let issue = existing.first(where: { $0.body?.contains(MeetingItem.marker(item.key)) == true }) {
                _ = try await send("PATCH", "/issues/\(issue.number)", ["title": .string(item.title), "body": .string(body)])
                updated += 1
            } else {
                _ = try await send(
                    "POST", "/issues", ["title": .string(item.title), "body": .string(body), "labels": .array([.string(settings.label)])])
                opened += 1
            }
        }
        return (opened, updated)
    }

    private func send(_ method: String, _ path: String, _ body: [String: JSONValue]?) async throws -> Data {
        var request = HTTPClientRequest(url: settings.api + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "User-Agent", value: "almanac")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: JSONWriter.string(.object(body))))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 8 * 1024 * 1024))
        guard (200..<300).contains(response.status.code) else {
            throw Failure(
                description: "\(method) \(settings.api)\(path): HTTP \(response.status.code) \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }
}
