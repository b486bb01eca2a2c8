#if canImport(Glibc)
import Glibc
#endif

/// One-off calls about this process and its terminal, so that callers need not import the C
/// library for a single function.
public enum ProcessCalls {
    /// Ends the process at once with `status`: no atexit handlers, no buffered output flushed, no
    /// deinit. For when going on could do harm (a write the disk did not confirm).
    public static func exitImmediately(_ status: Int32) -> Never {
        _exit(status)
    }

    /// Whether the descriptor is a terminal (standard input is 0).
    public static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) != 0
    }

    /// The real user id of this process.
    public static var userID: UInt32 { getuid() }

    /// The effective user id of this process.
    public static var effectiveUserID: UInt32 { geteuid() }

    /// This process's id.
    public static var processID: Int32 { getpid() }

    /// The signals that ask a daemon to stop: SIGTERM (systemd, kill) and SIGINT (Ctrl-C).
    public static let shutdownSignals: [Int32] = [SIGTERM, SIGINT]

    /// Turns off the default action of `number` (which would end the process), so that a
    /// dispatch signal source can handle it instead.
    public static func ignoreDefaultAction(of number: Int32) {
        _ = signal(number, SIG_IGN)
    }
}
