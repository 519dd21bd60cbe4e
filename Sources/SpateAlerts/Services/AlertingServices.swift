// The background services of a data directory besides jobs: delivery, alarm
// evaluation and metrics. `spate run` and the REPL start them with the job
// runner (Database.startJobRunner); each takes its own service lease, so with
// several processes each service runs in one of them at a time. Each logs its
// lease changes and what went wrong to the job log (ServiceLogEvents).

import SpateCatalog
import SpateLog

/// Tunables of all three services.
public struct AlertingOptions: Sendable {
    public var delivery = DeliveryOptions()
    public var alarms = AlarmOptions()
    public var metrics = MetricsOptions()
    /// Where the services' log goes besides the catalog (`spate run`/`serve`: stderr).
    public var logOutput: JobLogOutput?

    public init() {}
}

public final class AlertingServices: Sendable {
    public let delivery: DeliveryService
    public let alarms: AlarmService
    public let metrics: MetricsService

    public init(catalog: Catalog, log: LogStore, owner: String, nowMs: @escaping @Sendable () -> Int64, options: AlertingOptions = AlertingOptions()) {
        delivery = DeliveryService(catalog: catalog, owner: owner, nowMs: nowMs, options: options.delivery, logOutput: options.logOutput)
        alarms = AlarmService(catalog: catalog, owner: owner, nowMs: nowMs, options: options.alarms, logOutput: options.logOutput)
        metrics = MetricsService(catalog: catalog, log: log, owner: owner, nowMs: nowMs, options: options.metrics, logOutput: options.logOutput)
    }

    public func start() {
        metrics.start()
        alarms.start()
        delivery.start()
    }

    /// Stops all three (deliveries in flight finish first; the last metrics are flushed).
    public func stop() {
        delivery.stop()
        alarms.stop()
        metrics.stop()
    }
}
