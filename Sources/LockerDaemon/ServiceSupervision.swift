import Foundation
public import LockerHAL
import LockerSimulator
import LockerStore
public import Logging
import Synchronization

/// lockerd's side of its conversation with systemd: what it is doing (`STATUS=`), that it is ready
/// (`READY=1`, once the store is open and checked, the doors reconciled and the hardware probed),
/// that it is stopping, and the watchdog.
///
/// The watchdog is pinged only while the loops that matter make progress: the cabinet's loop
/// (every input goes through it), the store (a read answers), each board driver's poll or read
/// loop (it beats after every round, see `HeartbeatingEventSource`) and, when there is a
/// simulated cabinet, its event queue (it drains). The pinger sends `WATCHDOG=1` at half the
/// interval only while every loop beat recently. A wedged loop therefore stops the pings and
/// systemd restarts the daemon (`WatchdogSec=`). A board that stops answering does not: its loop
/// goes on polling (and reports it lost), since a restart would not bring it back.
public final class ServiceSupervision: Sendable {
    public let notifier: SystemdNotifier
    let watchdog = ProgressWatchdog()
    private let logger: Logger
    private let lastStatus = Mutex("")

    public init(notifier: SystemdNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
    }

    /// `STATUS=`, sent only when it changed.
    public func status(_ text: String) {
        let changed = lastStatus.withLock { last -> Bool in
            defer { last = text }
            return last != text
        }
        if changed { notifier.status(text) }
    }

    public func ready(status text: String) {
        lastStatus.withLock { $0 = text }
        notifier.ready(status: text)
        logger.notice("ready", metadata: ["status": "\(text)"])
    }

    public func stopping() {
        notifier.stopping(status: "stopping: finishing the input in hand, releasing latches")
    }

    /// The shortest quiet time allowed to a board's loop: one round may include the supervisor's
    /// restart pause (5 s) or several reply timeouts of boards sharing its bus.
    static let boardLoopMinimumAllowance: Duration = .seconds(12)

    /// The watchdog's name for a source's loop, or nil for a source that is not watched: one
    /// whose loop does not come round on its own (a keypad waiting for a press cannot tell idle
    /// from stuck, so it is not registered at all).
    public static func watchedLoopName(of source: any HardwareEventSource) -> String? {
        guard source is any HeartbeatingEventSource, let board = source as? any LockBoard else { return nil }
        return "board \(board.address) event loop"
    }

    /// What a watched hardware loop calls after every round (ignored until `runWatchdog`
    /// registered the loop, and always without a watchdog).
    public func heartbeat(for loop: String) -> @Sendable () -> Void {
        watchdog.heartbeat(for: loop)
    }

    /// Runs the heartbeats and the pinger until cancelled (nothing to do without a watchdog).
    ///
    /// - Parameters:
    ///   - hardwareLoops: the names of the driver loops that beat through `heartbeat(for:)`.
    ///   - simulatedEvents: the simulated cabinet's event queue, when there is one.
    func runWatchdog(inbox: CabinetInbox, store: CabinetStore, hardwareLoops: [String],
                     simulatedEvents: SimulatedEventQueue?) async {
        guard let interval = notifier.watchdogInterval else { return }
        let period = max(interval / 4, .milliseconds(100))
        let start = ContinuousClock.now
        var ownLoops = ["cabinet loop", "store"]
        if simulatedEvents != nil { ownLoops.append("simulated hardware events") }
        for loop in ownLoops {
            watchdog.register(loop, allowedStaleness: interval / 2, now: start)
        }
        for loop in hardwareLoops {
            watchdog.register(loop, allowedStaleness: max(interval / 2, Self.boardLoopMinimumAllowance), now: start)
        }
        let watchdog = self.watchdog
        let storeQueue = DispatchQueue(label: "lockerd.watchdog.store")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    await inbox.inspect { _ in }
                    watchdog.beat("cabinet loop", now: .now)
                    try? await Task.sleep(for: period)
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    // A read on a queue of its own: a store stuck in a lock leaves this waiting,
                    // and the beat stops.
                    let answered = await withCheckedContinuation { done in
                        storeQueue.async { done.resume(returning: (try? store.lastEventSequence()) != nil) }
                    }
                    if answered { watchdog.beat("store", now: .now) }
                    try? await Task.sleep(for: period)
                }
            }
            if let simulatedEvents {
                group.addTask {
                    while !Task.isCancelled {
                        await simulatedEvents.drain()
                        watchdog.beat("simulated hardware events", now: .now)
                        try? await Task.sleep(for: period)
                    }
                }
            }
            group.addTask {
                var reported: [String] = []
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval / 2)
                    let now = ContinuousClock.now
                    if watchdog.shouldPing(now: now) {
                        self.notifier.watchdogPing()
                        if !reported.isEmpty { self.logger.notice("every loop makes progress again; watchdog pings resumed") }
                        reported = []
                    } else {
                        let stale = watchdog.stale(now: now)
                        if stale != reported {
                            self.logger.critical("not pinging the watchdog: a loop makes no progress", metadata: [
                                "loops": "\(stale.joined(separator: ", "))",
                            ])
                            self.status("not responding: \(stale.joined(separator: ", ")) made no progress")
                        }
                        reported = stale
                    }
                }
            }
        }
    }
}
