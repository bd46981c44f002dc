import AlmanacConfig
import AlmanacMetrics
import AlmanacStorage
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Scrapes every target on its interval, as Prometheus does: content negotiation for
/// OpenMetrics or the text format, a timeout per scrape, and per target `up`,
/// `scrape_duration_seconds` and `scrape_samples_scraped`.
public struct Scraper: Service {
    let config: MonitoringConfig
    let heads: SeriesHeads
    let clock: WallClock
    let logger: Logger
    let client: HTTPClient = .shared

    /// Follows the target list as reloads change it: new targets start, removed ones stop.
    public init(config: MonitoringConfig, heads: SeriesHeads, clock: WallClock, logger: Logger) {
        self.clock = clock
        self.config = config
        self.heads = heads
        self.logger = logger
    }

    public func run() async throws {
        // Scraping waits for the log's replay: a new sample first would make the replayed ones out of order.
        guard await recover() else { return }
        var running: [ScrapeTarget: Task<Void, Never>] = [:]
        var rounds = 0
        repeat {
            rounds += 1
            if rounds % 60 == 0 { await cutQuiet() }
            let wanted = Set(config.current.targets)
            for (target, task) in running where !wanted.contains(target) {
                task.cancel()
                running[target] = nil
            }
            for target in wanted where running[target] == nil {
                running[target] = Task { await loop(target) }
            }
        } while await clock.nextRound(after: 1)
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
        await close()
    }

    /// Replays the log into the head, retrying while the database cannot be read; false at shutdown.
    private func recover() async -> Bool {
        repeat {
            do {
                let (samples, warnings) = try await heads.recover()
                for warning in warnings { logger.warning("the series log was damaged", metadata: ["detail": "\(warning)"]) }
                logger.info("replayed the series log", metadata: ["samples": "\(samples)"])
                return true
            } catch {
                logger.error("cannot replay the series log; scraping waits for it", metadata: ["error": "\(error)"])
            }
        } while await clock.nextRound(after: 2)
        return false
    }

    private func cutQuiet() async {
        do {
            try await heads.cutQuiet(now: clock.milliseconds())
        } catch {
            logger.warning("cannot write the chunks of quiet series; they stay in the log", metadata: ["error": "\(error)"])
        }
    }

    /// At shutdown the open chunks are written; when the lease went, another replica replays them.
    private func close() async {
        if Task.isCancelled {
            await heads.abandon()
            return
        }
        do {
            try await heads.flush()
        } catch {
            logger.warning("cannot write the open chunks; the next start replays them from the log", metadata: ["error": "\(error)"])
        }
    }

    private func loop(_ target: ScrapeTarget) async {
        // Spread targets over the first second, stably (FNV-1a of the URL), so they do not all fire at once.
        var wait = Int64(target.url.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } % 1000)
        // A replica taking scraping over keeps the last one's rhythm: one sample per interval.
        do {
            if let last = try await heads.newest(name: "up", labels: target.labels) {
                wait = max(wait, last + target.interval - clock.milliseconds())
            }
        } catch {
            logger.warning("cannot read the target's last scrape; scraping now", metadata: ["target": "\(target.url)", "error": "\(error)"])
        }
        do { try await clock.sleep(for: .milliseconds(wait)) } catch { return }
        while !Task.isCancelled {
            let started = clock.elapsed()
            await scrapeOnce(target)
            let elapsed = clock.elapsed() - started
            do {
                try await clock.sleep(for: .milliseconds(target.interval) - elapsed)
            } catch {
                return
            }
        }
    }

    /// One scrape, stored; returns the number of samples the target exposed (nil when it failed).
    @discardableResult
    func scrapeOnce(_ target: ScrapeTarget) async -> Int? {
        let startedAt = clock.milliseconds()
        let ticket = heads.view.watermark.reserve(at: startedAt)
        defer { heads.view.watermark.release(ticket) }
        let began = ContinuousClock.now
        var exposed: [ScrapedSample] = []
        var failure: String?
        do {
            var request = HTTPClientRequest(url: target.url)
            request.headers.add(name: "Accept", value: ExpositionFormat.acceptHeader)
            request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: String(Double(target.timeout) / 1000))
            let response = try await client.execute(request, timeout: .milliseconds(target.timeout))
            guard response.status == .ok else { throw ScrapeFailure(message: "HTTP \(response.status.code)") }
            let body = try await response.body.collect(upTo: ExpositionParser.maximumBytes)
            let format = ExpositionFormat(contentType: response.headers.first(name: "Content-Type"))
            exposed = try ExpositionParser.parse(Array(body.readableBytesView), format: format).samples
        } catch {
            failure = "\(error)"
        }
        let elapsed = (ContinuousClock.now - began).components
        let duration = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        var rows: [(name: String, labels: [Label], sample: Sample)] = []
        rows.reserveCapacity(exposed.count + 3)
        for s in exposed {
            rows.append((s.name, Self.merge(s.labels, target: target.labels), Sample(timestamp: s.timestamp ?? startedAt, value: s.value)))
        }
        rows.append(("up", target.labels, Sample(timestamp: startedAt, value: failure == nil ? 1 : 0)))
        rows.append(("scrape_duration_seconds", target.labels, Sample(timestamp: startedAt, value: duration)))
        rows.append(("scrape_samples_scraped", target.labels, Sample(timestamp: startedAt, value: Double(exposed.count))))
        if let failure {
            logger.warning("scrape failed", metadata: ["target": "\(target.url)", "error": "\(failure)"])
        }
        do {
            try await heads.append(rows)
        } catch is CancellationError {
            // Shutting down: the scrape ends with the server.
        } catch {
            logger.error("cannot store scraped samples", metadata: ["target": "\(target.url)", "error": "\(error)"])
        }
        return failure == nil ? exposed.count : nil
    }

    /// Target labels win; a scraped label of the same name is kept as `exported_<name>`.
    static func merge(_ scraped: [Label], target: [Label]) -> [Label] {
        let names = Set(target.map(\.name))
        var out = target
        for label in scraped {
            out.append(names.contains(label.name) ? Label("exported_" + label.name, label.value) : label)
        }
        return out.sorted()
    }
}

struct ScrapeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
