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
    let logger: Logger
    let client: HTTPClient = .shared

    /// Follows the target list as reloads change it: new targets start, removed ones stop.
    public init(config: MonitoringConfig, heads: SeriesHeads, logger: Logger) {
        self.config = config
        self.heads = heads
        self.logger = logger
    }

    public func run() async throws {
        var running: [ScrapeTarget: Task<Void, Never>] = [:]
        repeat {
            let wanted = Set(config.current.targets)
            for (target, task) in running where !wanted.contains(target) {
                task.cancel()
                running[target] = nil
            }
            for target in wanted where running[target] == nil {
                running[target] = Task { await loop(target) }
            }
        } while await nextRound(after: 1)
        for task in running.values { task.cancel() }
        for task in running.values { await task.value }
    }

    private func loop(_ target: ScrapeTarget) async {
        // Spread targets over the first second, stably (FNV-1a of the URL), so they do not all fire at once.
        let offset = target.url.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } % 1000
        do { try await Task.sleep(for: .milliseconds(Int64(offset))) } catch { return }
        while !Task.isCancelled {
            let started = ContinuousClock.now
            await scrapeOnce(target)
            let elapsed = ContinuousClock.now - started
            do {
                try await Task.sleep(for: .milliseconds(target.interval) - elapsed)
            } catch {
                return
            }
        }
    }

    /// One scrape, stored; returns the number of samples the target exposed (nil when it failed).
    @discardableResult
    func scrapeOnce(_ target: ScrapeTarget) async -> Int? {
        let startedAt = WallClock.milliseconds()
        let clock = ContinuousClock.now
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
        let elapsed = (ContinuousClock.now - clock).components
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
