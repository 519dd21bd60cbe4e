// The delivery service: drains the outbox (`deliveries`) while this process
// holds the 'delivery' service lease, so two `spate run` processes never
// deliver the same row at once (at-least-once stays; systematic duplicates
// do not happen). A supervisor thread renews the lease, reads due rows, and
// hands each channel's rows to that channel's sender thread — one per channel
// at a time, so a slow or dead channel delays only itself, and jobs never wait
// on delivery (they only insert outbox rows in their checkpoint).
//
// Per attempt: success → delivered; failure → retried after a backoff of
// backoffBaseMs × 2^(attempts−1), capped at backoffMaxMs (1 s, 2 s, 4 s, … 2 min),
// until the channel's max_attempts (default 8) → failed, with last_error kept.
// A row is marked delivered only after its send returned: a crash in between
// sends it again, with the same idempotency key.
//
// Rate limit (per channel): at most rate_limit attempts start in each UTC
// calendar minute. A due alert beyond that is not sent: its row is marked
// suppressed. Once that minute is over, ONE summary alert ("N more alerts
// suppressed", with up to 100 of their alert ids) is queued on the channel,
// exempt from the limit, and delivered like any alert.

import Logging
import SpateCatalog
import SpateLog
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tunables of the delivery service.
public struct DeliveryOptions: Sendable {
    public var scanIntervalMs = 200
    public var leaseDurationMs: Int64 = 10_000
    public var backoffBaseMs: Int64 = 1_000
    public var backoffMaxMs: Int64 = 120_000
    /// Most due rows read per scan.
    public var batchMax = 1_000

    public init() {}

    /// The wait after the `attempt`-th failed attempt (1-based).
    public func backoffMs(afterAttempt attempt: Int64) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        return min(backoffMaxMs, backoffBaseMs << exponent)
    }
}

public final class DeliveryService: @unchecked Sendable {
    static let lease = "delivery"
    let catalog: Catalog
    let owner: String
    let nowMs: @Sendable () -> Int64
    let options: DeliveryOptions
    private let loop = ServiceLoop()
    private let leaseHeld = Atomic<Bool>(false)
    /// When this process last renewed the lease (monotone enough: the service's clock).
    private let renewedMs = Mutex<Int64?>(nil)
    /// Channels with a sender thread running, and per channel: the minute and attempts started in it.
    private let state = Mutex<(busy: Set<String>, window: [String: (minute: Int64, attempts: Int64)], suppressedIn: [String: Int64])>(([], [:], [:]))
    let events: ServiceLogEvents

    public init(catalog: Catalog, owner: String, nowMs: @escaping @Sendable () -> Int64, options: DeliveryOptions = DeliveryOptions(),
                logOutput: JobLogOutput? = nil) {
        self.catalog = catalog
        self.owner = owner
        self.nowMs = nowMs
        self.options = options
        events = ServiceLogEvents(service: Self.lease, catalog: catalog, nowMs: nowMs, output: logOutput)
    }

    public func start() {
        signal(SIGPIPE, SIG_IGN)  // a webhook or program that goes away must not kill the process
        loop.start(intervalMs: options.scanIntervalMs, round: { [self] in
            let now = nowMs()
            let due = renewedMs.withLock { $0.map { now - $0 >= 1_000 } ?? true }
            if due || !leaseHeld.load(ordering: .relaxed) {
                let held = (try? catalog.acquireServiceLease(Self.lease, owner: owner, nowMs: now, durationMs: options.leaseDurationMs)) ?? false
                leaseHeld.store(held, ordering: .relaxed)
                events.lease(held: held, owner: owner)
                if held { renewedMs.withLock { $0 = now } }
            }
            if leaseHeld.load(ordering: .relaxed) { scan() }
        }, closing: { [self] in
            while state.withLock({ !$0.busy.isEmpty }) { Clock.sleepMs(10) }
            try? catalog.releaseServiceLease(Self.lease, owner: owner)
            events.released(owner: owner)
        })
    }

    /// Stops: waits for the sends in flight (each bounded by its channel's timeout).
    public func stop() { loop.stop() }

    /// One round: summaries of past minutes, then due rows to idle channels.
    func scan() {
        guard let channelList = try? catalog.channels() else { return }
        let channels = Dictionary(channelList.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let minute = nowMs() / 60_000
        for channel in channelList {
            let suppressedIn = state.withLock { $0.suppressedIn[channel.name] }
            if suppressedIn == nil || suppressedIn! < minute {
                if let count = try? catalog.summarizeSuppressed(channel: channel.name, rateLimitPerMinute: channel.rateLimitPerMinute, nowMs: nowMs()), count > 0 {
                    catalog.metricsRecorder.record(BuiltinMetric.channelSuppressed.name, "channel", channel.name, Double(count), atMs: nowMs())
                    events.logger.event(.notice, "suppressed",
                                        "channel \(channel.name): \(count) alert\(count == 1 ? "" : "s") held back by its rate limit (\(channel.rateLimitPerMinute) a minute); a summary is queued",
                                        ["channel": .string(channel.name), "suppressed": .stringConvertible(count),
                                         "rate_limit": .stringConvertible(channel.rateLimitPerMinute)])
                }
                state.withLock { $0.suppressedIn[channel.name] = nil }
            }
        }
        guard let due = try? catalog.dueDeliveries(nowMs: nowMs(), limit: options.batchMax), !due.isEmpty else { return }
        var byChannel: [String: [PendingDelivery]] = [:]
        for delivery in due { byChannel[delivery.channel, default: []].append(delivery) }
        for (name, rows) in byChannel {
            let claimed = state.withLock { $0.busy.insert(name).inserted }
            guard claimed else { continue }
            let channel = channels[name]
            BackgroundThread.start { [self] in
                for row in rows {
                    if loop.isStopping || !leaseHeld.load(ordering: .relaxed) { break }
                    deliver(row, on: channel)
                }
                _ = state.withLock { $0.busy.remove(name) }
            }
        }
    }

    /// One attempt of one row (on its channel's sender thread).
    func deliver(_ row: PendingDelivery, on channel: ChannelRecord?) {
        let recorder = catalog.metricsRecorder
        guard let channel else {
            recordFailure(row, error: "channel '\(row.channel)' does not exist (CREATE CHANNEL \(row.channel) …)", maxAttempts: ChannelDefinition.defaultMaxAttempts)
            return
        }
        if !row.exempt {
            let minute = nowMs() / 60_000
            let allowed = state.withLock { s -> Bool in
                var window = s.window[channel.name] ?? (minute, 0)
                if window.minute != minute { window = (minute, 0) }
                guard window.attempts < channel.rateLimitPerMinute else { return false }
                window.attempts += 1
                s.window[channel.name] = window
                return true
            }
            guard allowed else {
                try? catalog.markSuppressed(id: row.id)
                state.withLock { $0.suppressedIn[channel.name] = minute }
                return
            }
        }
        let startMs = Clock.monotonicMs()
        let result = ChannelDelivery.send(row.alert, idempotencyKey: row.idempotencyKey, on: channel)
        let elapsedMs = Clock.monotonicMs() - startMs
        switch result {
        case .success:
            try? catalog.markDelivered(id: row.id, nowMs: nowMs())
            recorder.record(BuiltinMetric.channelDeliveries.name, "channel", channel.name, 1, atMs: nowMs())
            recorder.record(BuiltinMetric.channelLatencyMs.name, "channel", channel.name, Double(elapsedMs), atMs: nowMs())
        case let .failure(error):
            recordFailure(row, error: error.description, maxAttempts: channel.maxAttempts)
        }
    }

    private func recordFailure(_ row: PendingDelivery, error: String, maxAttempts: Int64) {
        let attempt = row.attempts + 1
        let giveUp = attempt >= maxAttempts
        let now = nowMs()
        let backoffMs = options.backoffMs(afterAttempt: attempt)
        try? catalog.markAttemptFailed(id: row.id, error: error, nextAttemptMs: now + backoffMs, giveUp: giveUp)
        catalog.metricsRecorder.record(BuiltinMetric.channelFailures.name, "channel", row.channel, 1, atMs: now)
        if giveUp { catalog.metricsRecorder.record(BuiltinMetric.channelGivenUp.name, "channel", row.channel, 1, atMs: now) }
        var fields: Logger.Metadata = ["channel": .string(row.channel), "delivery": .stringConvertible(row.id),
                                       "attempt": .stringConvertible(attempt), "max_attempts": .stringConvertible(maxAttempts),
                                       "error": .string(error)]
        if giveUp {
            events.logger.event(.error, "delivery_given_up",
                                "channel \(row.channel): gave up on delivery \(row.id) after \(attempt) attempts: \(error)", fields)
        } else {
            fields["retry_in_ms"] = .stringConvertible(backoffMs)
            events.logger.event(.warning, "delivery_failed",
                                "channel \(row.channel): attempt \(attempt) of \(maxAttempts) of delivery \(row.id) failed: \(error); retrying in \(backoffMs / 1000) s",
                                fields)
        }
    }
}
