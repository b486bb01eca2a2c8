import Foundation
public import Logging
import Synchronization
import LockerSystem

/// Tells systemd how the daemon is doing: `sd_notify(3)` written directly over `$NOTIFY_SOCKET`,
/// without linking libsystemd (one small protocol is not worth a C dependency on every board).
///
/// The protocol: each call sends one datagram of newline-separated `KEY=VALUE` assignments to the
/// AF_UNIX datagram socket named by `$NOTIFY_SOCKET`, either a file-system path ("/run/systemd/notify")
/// or, with a leading "@", a name in the abstract namespace (whose first byte is NUL on the wire).
/// systemd reads the datagram whole, so assignments sent together (`READY=1` and its `STATUS=`)
/// arrive together.
///
/// Started outside systemd (no `$NOTIFY_SOCKET`) every call does nothing. Telling systemd is never
/// worth stopping the cabinet for: nothing here throws or blocks (the socket is non-blocking), and
/// a datagram that cannot be sent is logged once, at the first failure, not at every watchdog ping.
public final class SystemdNotifier: Sendable {
    /// How often systemd expects `WATCHDOG=1` at the latest (`WatchdogSec=`, passed as
    /// `$WATCHDOG_USEC`); nil when no watchdog is set up for this process. `$WATCHDOG_PID`, when set,
    /// must name this process: a variable inherited from a parent that was itself watched is not ours.
    public let watchdogInterval: Duration?

    /// Where the datagrams go, as the bytes of `sockaddr_un.sun_path` (a leading NUL for an abstract
    /// name); nil when systemd did not ask to be told, or the address cannot be used.
    private let destination: [UInt8]?
    /// `$NOTIFY_SOCKET` as given, for the log.
    private let socketName: String
    private let logger: Logger
    /// Set at the first failed send, so that only that one is logged.
    private let hasReportedFailure = Atomic<Bool>(false)

    /// The process's own environment, the default source of `$NOTIFY_SOCKET` and `$WATCHDOG_USEC`.
    public static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// - Parameters:
    ///   - environment: where `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` are read (tests
    ///     point it at their own socket).
    ///   - logger: receives the one message about a notification that could not be sent.
    public init(environment: [String: String] = SystemdNotifier.processEnvironment, logger: Logger) {
        self.logger = logger
        let name = environment["NOTIFY_SOCKET"] ?? ""
        socketName = name
        watchdogInterval = Self.watchdogInterval(environment: environment, processID: Int(ProcessCalls.processID))
        if name.isEmpty {
            destination = nil
        } else if let address = Self.socketAddress(name) {
            destination = address
        } else {
            destination = nil
            hasReportedFailure.store(true, ordering: .relaxed)
            logger.warning("NOTIFY_SOCKET is not an absolute path or an abstract socket name (or is too long); systemd will not hear from lockerd",
                           metadata: ["systemd.notify_socket": "\(name)"])
        }
    }

    /// True when systemd asked to be told (`$NOTIFY_SOCKET` names a usable socket).
    public var isEnabled: Bool { destination != nil }

    /// Half the watchdog interval: how often to send `WATCHDOG=1`, as sd_watchdog_enabled(3)
    /// recommends, so that one late ping is not yet a timeout.
    public var watchdogPingInterval: Duration? { watchdogInterval.map { $0 / 2 } }

    /// `READY=1`: start-up is complete (systemd starts the units ordered after lockerd, and
    /// `systemctl start` returns). With a status, both go in one datagram.
    public func ready(status: String? = nil) {
        send(["READY=1"] + Self.statusAssignment(status))
    }

    /// `STATUS=...`: one line for `systemctl status`. Newlines become spaces (the protocol ends an
    /// assignment at a newline: the rest would be read as another, unknown assignment).
    public func status(_ text: String) {
        send(Self.statusAssignment(text))
    }

    /// `STOPPING=1`: shutdown has begun (systemd shows "deactivating" and stops expecting pings).
    public func stopping(status: String? = nil) {
        send(["STOPPING=1"] + Self.statusAssignment(status))
    }

    /// `WATCHDOG=1`: the daemon is making progress. Send it every `watchdogPingInterval`, and only
    /// when it is true (see `ProgressWatchdog`): a ping from a timer that runs while the cabinet
    /// loop is stuck would hide the very hang the watchdog exists to catch.
    public func watchdogPing() {
        send(["WATCHDOG=1"])
    }

    /// `WATCHDOG=trigger`: asks systemd to act as if the watchdog had expired now (a hang the
    /// daemon has noticed itself: systemd kills and restarts it, with `WatchdogSignal=`).
    public func watchdogTrigger(status: String? = nil) {
        send(Self.statusAssignment(status) + ["WATCHDOG=trigger"])
    }

    /// `MAINPID=pid`: which process systemd should watch as the main one (only needed when the
    /// daemon's main process is not the one systemd started).
    public func mainProcessID(_ processID: Int32) {
        send(["MAINPID=\(processID)"])
    }

    /// Sends the assignments as one datagram; false if it could not be sent (or nobody listens).
    /// Each assignment is one `KEY=VALUE` line without its newline.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        guard let destination, !assignments.isEmpty else { return false }
        let message = Array(assignments.joined(separator: "\n").utf8)
        if let failure = Self.sendDatagram(message, to: destination) {
            // exchange: two threads failing at once still log once.
            if !hasReportedFailure.exchange(true, ordering: .relaxed) {
                logger.warning("cannot notify systemd; further failures are not logged", metadata: [
                    "systemd.notify_socket": "\(socketName)", "systemd.message": "\(assignments.joined(separator: " "))",
                    "error": "\(failure)",
                ])
            }
            return false
        }
        return true
    }

    // MARK: - Reading the environment

    static func statusAssignment(_ status: String?) -> [String] {
        guard let status else { return [] }
        let oneLine = status.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
        return ["STATUS=\(oneLine)"]
    }

    /// `$WATCHDOG_USEC` as a duration, if it is a positive number of microseconds and
    /// `$WATCHDOG_PID` (when present) is `processID`.
    static func watchdogInterval(environment: [String: String], processID: Int) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0,
              microseconds <= UInt64(Int64.max) else { return nil }
        if let watchedProcess = environment["WATCHDOG_PID"] {
            guard Int(watchedProcess) == processID else { return nil }
        }
        return .microseconds(Int64(microseconds))
    }

    /// The bytes of `sun_path` for a `$NOTIFY_SOCKET` value, or nil if it is neither an absolute path
    /// nor an "@abstract" name, or does not fit. (libsystemd refuses relative paths too: they would
    /// depend on the working directory.)
    static func socketAddress(_ name: String) -> [UInt8]? {
        var bytes = Array(name.utf8)
        guard bytes.count >= 2, !bytes.contains(0) else { return nil }
        let capacity = UnixDatagram.pathCapacity
        switch bytes[0] {
        case UInt8(ascii: "@"):
            // The abstract name is every byte after the NUL, up to the address length: no terminator.
            bytes[0] = 0
            return bytes.count <= capacity ? bytes : nil
        case UInt8(ascii: "/"):
            // A path needs its terminating NUL inside sun_path.
            return bytes.count < capacity ? bytes : nil
        default:
            return nil
        }
    }

    // MARK: - The one system call

    /// What went wrong, or nil when the datagram was sent (see `UnixDatagram`).
    private static func sendDatagram(_ message: [UInt8], to pathBytes: [UInt8]) -> String? {
        UnixDatagram.send(message, to: pathBytes)
    }
}
