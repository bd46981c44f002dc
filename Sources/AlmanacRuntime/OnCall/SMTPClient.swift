import Foundation
import NIOCore
import NIOPosix

/// Sends one plain-text message to an SMTP relay (RFC 5321): EHLO, MAIL, RCPT, DATA with dot
/// stuffing, QUIT; every reply checked. Written here because no package on this machine speaks
/// SMTP; it talks to the organisation's relay (which does TLS and delivery onwards), so it offers
/// neither STARTTLS nor authentication.
struct SMTPClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Message: Codable, Sendable {
        var from: String
        var to: [String]
        var subject: String
        var text: String
        /// An HTML part beside the text (multipart/alternative): mail programs show its button.
        var html: String?
    }

    /// `smtp://host:port` (port 25 by default).
    let host: String
    let port: Int

    init(url: String) throws {
        guard let parts = URLComponents(string: url), parts.scheme == "smtp", let host = parts.host, !host.isEmpty else {
            throw Failure(description: "not an SMTP relay URL such as smtp://127.0.0.1:25: \(url)")
        }
        self.host = host
        port = parts.port ?? 25
    }

    func send(_ message: Message, date: Date, timeout: Duration = .seconds(10)) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await channel.executeThenClose { inbound, outbound in
                    var replies = Replies(inbound.makeAsyncIterator())
                    try await replies.expect(220)
                    for (command, code) in [
                        ("EHLO almanac", 250), ("MAIL FROM:<\(message.from)>", 250),
                    ] + message.to.map({ ("RCPT TO:<\($0)>", 250) }) + [("DATA", 354)] {
                        try await outbound.write(ByteBuffer(string: command + "\r\n"))
                        try await replies.expect(code)
                    }
                    try await outbound.write(ByteBuffer(string: Self.data(message, date: date)))
                    try await replies.expect(250)
                    try await outbound.write(ByteBuffer(string: "QUIT\r\n"))
                    // The relay took the message at the 250 above; a relay that hangs up on QUIT lost nothing.
                    try? await replies.expect(221)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure(description: "the SMTP relay \(host):\(port) did not answer within \(timeout)")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// Headers and body, lines ending CRLF, a leading dot doubled, ended by a lone dot.
    static func data(_ message: Message, date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        // Non-ASCII subjects go as RFC 2047 encoded words.
        let subject =
            message.subject.allSatisfy(\.isASCII) ? message.subject : "=?UTF-8?B?\(Data(message.subject.utf8).base64EncodedString())?="
        var lines = [
            "From: \(message.from)", "To: \(message.to.joined(separator: ", "))", "Subject: \(subject)",
            "Date: \(formatter.string(from: date))", "MIME-Version: 1.0",
        ]
        func body(_ text: String) -> [String] {
            text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        let part = ["Content-Transfer-Encoding: 8bit", ""]
        if let html = message.html {
            // RFC 2046: the plainest part first, the richest last; the boundary never occurs in the parts.
            let boundary = "almanac-" + UUID().uuidString
            lines += [
                "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "", "--\(boundary)", "Content-Type: text/plain; charset=utf-8",
            ]
            lines += part + body(message.text) + ["--\(boundary)", "Content-Type: text/html; charset=utf-8"] + part + body(html)
            lines += ["--\(boundary)--"]
        } else {
            lines += ["Content-Type: text/plain; charset=utf-8"] + part + body(message.text)
        }
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    /// Reads replies, multi-line ones (`250-…` … `250 …`) whole.
    struct Replies {
        var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending = ""

        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }

        mutating func expect(_ code: Int) async throws {
            while true {
                while let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending.removeSubrange(..<end.upperBound)
                    guard line.count >= 3, let got = Int(line.prefix(3)) else { throw Failure(description: "not an SMTP reply: \(line)") }
                    if line.dropFirst(3).first == "-" { continue }
                    guard got == code else { throw Failure(description: "the SMTP relay answered \(line) where \(code) was expected") }
                    return
                }
                guard var buffer = try await iterator.next() else { throw Failure(description: "the SMTP relay closed the connection") }
                pending += buffer.readString(length: buffer.readableBytes) ?? ""
            }
        }
    }
}
