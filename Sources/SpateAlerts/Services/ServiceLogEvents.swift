// What the background services write to the job log (job_log, source
// 'service', through swift-log: Catalog.jobLogger), in one place:
//   lease_taken     info     this process took the service's lease
//   lease_lost      warning  another process took it (or the catalog refused)
//   delivery_failed warning  an attempt failed; when it is tried again
//   delivery_given_up error  the channel's max_attempts were used up
//   suppressed      notice   a channel's rate limit held alerts back
//   state_changed   notice   an alarm changed state, and why
//   error           error    a round of the service failed (the catalog's error)
// Per event, never per alert row that goes well: a delivered alert is in
// `deliveries`, not in the log.

import Logging
import SpateCatalog
import Synchronization

final class ServiceLogEvents: Sendable {
    let logger: Logger
    let service: String
    private let leaseHeld = Atomic<Bool>(false)

    init(service: String, catalog: Catalog, nowMs: @escaping @Sendable () -> Int64, output: JobLogOutput?) {
        self.service = service
        logger = catalog.jobLogger(.service, service, nowMs: nowMs, output: output)
    }

    /// Logs a change of whether this process holds the service's lease.
    func lease(held: Bool, owner: String) {
        guard leaseHeld.exchange(held, ordering: .relaxed) != held else { return }
        if held {
            logger.event(.info, "lease_taken", "this process runs the \(service) service now", ["owner": .string(owner)])
        } else {
            logger.event(.warning, "lease_lost", "another process runs the \(service) service now", ["owner": .string(owner)])
        }
    }

    /// Logs that this process gave the lease up as it stopped.
    func released(owner: String) {
        guard leaseHeld.exchange(false, ordering: .relaxed) else { return }
        logger.event(.info, "stopped", "gave up the \(service) service's lease: this process is stopping", ["owner": .string(owner)])
    }

    func roundFailed(_ error: any Error) {
        logger.event(.error, "error", "a round of the \(service) service failed: \(error)", ["error": .string("\(error)")])
    }
}
