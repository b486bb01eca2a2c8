import Foundation
import LockerDaemon
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The notifier against a real datagram socket standing in for systemd's: what arrives must be
/// exactly what sd_notify(3) would have sent, and no failure may ever reach the caller.
@Suite struct SystemdNotifierTests {
    /// A datagram socket bound where a test's `NOTIFY_SOCKET` points: a path in a fresh temporary
    /// directory, or a name in the abstract namespace. Every receive gives up after 5 s, so a
    /// missing datagram fails the test instead of hanging it.
    final class NotifySocket {
        let name: String
        private let descriptor: Int32
        private let directory: URL?

        init(abstract: Bool = false) throws {
            let unique = UUID().uuidString.prefix(8)
            var pathBytes: [UInt8]
            if abstract {
                name = "@lockerd-notify-test-\(unique)"
                pathBytes = [0] + Array(name.utf8.dropFirst())
                directory = nil
            } else {
                // Short: sun_path holds 107 bytes, and temporary directories can be deep.
                let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sdn-\(unique)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                directory = folder
                name = folder.appendingPathComponent("notify").path
                pathBytes = Array(name.utf8)
            }
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }
            let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + pathBytes.count + (abstract ? 0 : 1))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0 else {
                let error = errno
                close(descriptor)
                throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
            }
        }

        deinit {
            close(descriptor)
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }

        /// The next datagram, whole; nil after 5 s without one.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
        }

        /// Nothing arrives within a short while (for the "sends nothing" cases).
        func isQuiet() -> Bool {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            return poll(&poller, 1, 100) == 0
        }
    }

    /// Every log line, by level, instead of standard error.
    final class CapturedLog: Sendable {
        private let lines = Mutex<[(level: Logger.Level, message: String)]>([])
        var all: [(level: Logger.Level, message: String)] { lines.withLock { $0 } }

        var logger: Logger {
            Logger(label: "systemd-notifier-test") { _ in Handler(log: self) }
        }

        struct Handler: LogHandler {
            let log: CapturedLog
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) { log.lines.withLock { $0.append((event.level, "\(event.message)")) } }
        }
    }

    @Test func eachNotificationArrivesAsOneDatagramVerbatim() throws {
        let socket = try NotifySocket()
        let log = CapturedLog()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.name], logger: log.logger)
        #expect(notifier.isEnabled)

        notifier.ready()
        #expect(socket.receive() == "READY=1")
        notifier.ready(status: "serving 30 doors")
        #expect(socket.receive() == "READY=1\nSTATUS=serving 30 doors")
        notifier.status("board 2 offline")
        #expect(socket.receive() == "STATUS=board 2 offline")
        notifier.watchdogPing()
        #expect(socket.receive() == "WATCHDOG=1")
        notifier.stopping()
        #expect(socket.receive() == "STOPPING=1")
        notifier.stopping(status: "closing the store")
        #expect(socket.receive() == "STOPPING=1\nSTATUS=closing the store")
        notifier.watchdogTrigger()
        #expect(socket.receive() == "WATCHDOG=trigger")
        notifier.mainProcessID(4242)
        #expect(socket.receive() == "MAINPID=4242")
        #expect(log.all.isEmpty, "nothing to report: \(log.all)")
    }

    @Test func anAbstractSocketNameIsReachedThroughItsLeadingNul() throws {
        let socket = try NotifySocket(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.name], logger: CapturedLog().logger)
        notifier.ready(status: "up")
        #expect(socket.receive() == "READY=1\nSTATUS=up")
        notifier.watchdogPing()
        #expect(socket.receive() == "WATCHDOG=1")
    }

    @Test func aStatusWithLineBreaksIsSentAsOneLine() throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.name], logger: CapturedLog().logger)
        notifier.status("stuck: store\nWATCHDOG=trigger\r\nlast line\rend")
        // Had the newline gone through, systemd would have read a second assignment.
        #expect(socket.receive() == "STATUS=stuck: store WATCHDOG=trigger last line end")
    }

    @Test func withoutNotifySocketNothingIsSentOrLogged() {
        let log = CapturedLog()
        for environment in [[:], ["NOTIFY_SOCKET": ""], ["WATCHDOG_USEC": "30000000"]] {
            let notifier = SystemdNotifier(environment: environment, logger: log.logger)
            #expect(!notifier.isEnabled)
            notifier.ready(status: "x")
            notifier.watchdogPing()
            #expect(!notifier.send(["STOPPING=1"]))
        }
        #expect(log.all.isEmpty, "\(log.all)")
    }

    @Test func aSocketThatIsNotThereIsLoggedOnceAndNeverThrown() throws {
        let socket = try NotifySocket()
        let missing = socket.name + "-gone"
        let log = CapturedLog()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": missing], logger: log.logger)
        #expect(notifier.isEnabled)
        notifier.ready(status: "starting")
        for _ in 0..<5 { notifier.watchdogPing() }
        #expect(!notifier.send(["STOPPING=1"]))
        let lines = log.all
        #expect(lines.count == 1, "one line for all the failures: \(lines)")
        #expect(lines.first?.level == .warning)
        #expect(socket.isQuiet())
    }

    @Test(arguments: ["relative/notify", "@", "/" + String(repeating: "x", count: 120), "vsock:2:1234"])
    func anUnusableSocketNameIsLoggedOnceAndDisablesTheNotifier(name: String) {
        let log = CapturedLog()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": name], logger: log.logger)
        #expect(!notifier.isEnabled)
        notifier.ready()
        notifier.watchdogPing()
        #expect(log.all.count == 1, "\(log.all)")
    }

    @Test func theWatchdogIntervalComesFromWatchdogUsec() {
        let logger = CapturedLog().logger
        let ownPID = String(getpid())
        let watched = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"], logger: logger)
        #expect(watched.watchdogInterval == .seconds(30))
        #expect(watched.watchdogPingInterval == .seconds(15))
        let ours = SystemdNotifier(environment: ["WATCHDOG_USEC": "1500000", "WATCHDOG_PID": ownPID], logger: logger)
        #expect(ours.watchdogInterval == .milliseconds(1500))
        // Inherited from a watched parent: not this process's watchdog.
        let otherPID = String(getpid() == 1 ? 2 : 1)
        let theirs = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": otherPID], logger: logger)
        #expect(theirs.watchdogInterval == nil)
        for broken in ["", "0", "-5", "30s", "1e6", "99999999999999999999999"] {
            #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": broken], logger: logger).watchdogInterval == nil, "\(broken)")
        }
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "me"], logger: logger).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: [:], logger: logger).watchdogInterval == nil)
    }
}
