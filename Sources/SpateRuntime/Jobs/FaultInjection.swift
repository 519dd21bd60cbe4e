// Crash injection for the exactly-once tests: with SPATE_FAULT_KILL_PERMILLE=N
// in its environment, a job worker kills its own process (SIGKILL, like a power
// cut of the process) with probability N/1000 at each critical point — after
// appending output and before the checkpoint that records it, right after a
// checkpoint, between reading and emitting. Unset (always, outside tests), it
// costs one load of a constant. With SPATE_FAULT_TRAP_JOB=NAME, the worker of
// job NAME traps (a Swift runtime trap, as an unchecked overflow would) at its
// first step: the quarantine test's job that crashes its process.

#if canImport(Glibc)
import Glibc
#endif

enum FaultInjection {
    /// Per-mille probability of a kill at each point (0: off).
    static let killPermille: Int = {
        guard let raw = getenv("SPATE_FAULT_KILL_PERMILLE"), let value = Int(String(cString: raw)) else { return 0 }
        return max(0, min(1000, value))
    }()

    /// The job whose first step traps (nil: none).
    static let trapJob: String? = getenv("SPATE_FAULT_TRAP_JOB").map { String(cString: $0) }

    /// Traps when `job` is the one chosen to.
    @inline(__always)
    static func trapIfChosen(job: String) {
        if let trapJob, trapJob == job { fatalError("injected trap in job \(job)") }
    }

    /// Maybe kills this process at the named point.
    @inline(__always)
    static func point(_ name: StaticString) {
        guard killPermille > 0, Int.random(in: 0..<1000) < killPermille else { return }
        kill(getpid(), SIGKILL)
    }
}
