import AlmanacStorage
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization

/// Delivers the outbox: every notification is retried with growing pauses until its receiver
/// accepts it, so a receiver that was down gets everything once it is back.
public final class Notifier: Sendable {
    let alerts: SQLAlertStore
    let maximumBackoffSeconds: Double
    let clock: WallClock
    let logger: Logger
    let client: HTTPClient = .shared
    private let lastPruned = Mutex<Int64?>(nil)

    public init(alerts: SQLAlertStore, maximumBackoffSeconds: Double, clock: WallClock, logger: Logger) {
        self.alerts = alerts
        self.maximumBackoffSeconds = maximumBackoffSeconds
        self.clock = clock
        self.logger = logger
    }

    /// One round of `PeriodicJob` (four a second): what is due is delivered, and once an hour
    /// notifications delivered a week ago are dropped.
    public func round(now: Int64) async throws {
        await deliverDue(now: now)
        let pruneDue = lastPruned.withLock { last in
            guard last.map({ now - $0 >= 3_600_000 }) ?? true else { return false }
            last = now
            return true
        }
        guard pruneDue else { return }
        do {
            try await alerts.prune(deliveredBefore: now - 7 * 86_400_000)
        } catch {
            logger.warning("cannot prune delivered notifications; they stay until the next try", metadata: ["error": "\(error)"])
        }
    }

    /// Receivers are served side by side, so one that is down delays only its own notifications;
    /// each receiver gets its notifications in order, and a failure ends its turn.
    func deliverDue(now: Int64) async {
        let due: [OutboxEntry]
        do {
            due = try await alerts.due(at: now)
        } catch {
            logger.warning("cannot read the notification outbox; will retry", metadata: ["error": "\(error)"])
            return
        }
        let byReceiver = Dictionary(grouping: due, by: \.receiver)
        await withTaskGroup(of: Void.self) { group in
            for entries in byReceiver.values {
                group.addTask {
                    for entry in entries.sorted(by: { $0.id < $1.id }) where !(await self.deliver(entry, now: now)) { break }
                }
            }
        }
    }

    /// True when the receiver took the notification.
    private func deliver(_ entry: OutboxEntry, now: Int64) async -> Bool {
        do {
            if entry.url.hasPrefix("smtp://") {
                // E-mail to people on call: the payload is the message, the URL the relay.
                let message = try JSONDecoder().decode(SMTPClient.Message.self, from: Data(entry.payload.utf8))
                try await SMTPClient(url: entry.url).send(message, date: clock.date())
                try await alerts.delivered(entry.id, at: clock.milliseconds())
                return true
            }
            var request = HTTPClientRequest(url: entry.url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: entry.payload))
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { throw ScrapeFailure(message: "HTTP \(response.status.code)") }
            try await alerts.delivered(entry.id, at: clock.milliseconds())
            return true
        } catch {
            let attempts = entry.attempts + 1
            let pause = min(maximumBackoffSeconds, pow(2, Double(min(attempts, 20))) * 0.5)
            logger.warning(
                "notification not delivered; will retry",
                metadata: [
                    "receiver": "\(entry.receiver)", "attempt": "\(attempts)", "error": "\(error)",
                ])
            do {
                try await alerts.failed(
                    entry.id, attempts: attempts, error: "\(error)", retryAt: clock.milliseconds() + Int64(pause * 1000))
            } catch {
                // The entry stays due: it is retried at the next round instead of after its pause.
                logger.warning("cannot record a failed delivery", metadata: ["receiver": "\(entry.receiver)", "error": "\(error)"])
            }
            return false
        }
    }
}
