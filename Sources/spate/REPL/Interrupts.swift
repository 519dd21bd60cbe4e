// Ctrl-C while a statement runs. The terminal turns it into SIGINT; the handler
// only sets `interruptFlag` (an atomic store is async-signal-safe), and the
// running statement, which polls the flag, stops and returns to its caller.
// At the REPL prompt the terminal is in raw mode, so Ctrl-C arrives as a key
// instead and no signal is raised.
//
// Two policies: the REPL never dies of Ctrl-C; a script (`-c`, `-f`, stdin)
// stops its statement on the first Ctrl-C and dies on the second, so a statement
// that does not poll the flag can still be interrupted.

import Spate

#if canImport(Glibc)
import Glibc
#endif

/// The flag SIGINT sets. Global so the C handler can reach it without a capture.
let interruptFlag = CancellationFlag()

enum Interrupts {
    /// Every Ctrl-C cancels the running statement.
    static func cancelStatements() {
        install { _ in interruptFlag.cancel() }
    }

    /// The first Ctrl-C cancels the running statement, the next ends the process.
    static func cancelThenExit() {
        install { signalNumber in
            if interruptFlag.isCancelled {
                signal(signalNumber, SIG_DFL)
                raise(signalNumber)
            } else {
                interruptFlag.cancel()
            }
        }
    }

    private static func install(_ handler: @convention(c) (Int32) -> Void) {
        _ = interruptFlag.isCancelled  // initialize the global before a signal can touch it
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        // A parent may have started us with SIGINT blocked (a process spawned from
        // a thread pool inherits that thread's mask); Ctrl-C must still arrive.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        sigprocmask(SIG_UNBLOCK, &interrupt, nil)
    }
}
