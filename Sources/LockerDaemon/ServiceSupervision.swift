import Foundation
import LockerSimulator
import LockerStore
public import Logging
import Synchronization

/// lockerd's side of its conversation with systemd: what it is doing (`STATUS=`), that it is ready
/// (`READY=1`, once the store is open and checked, the doors reconciled and the hardware probed),
/// that it is stopping, and the watchdog.
///
/// The watchdog is pinged only while the loops that matter make progress: the cabinet's loop
/// (every input goes through it), the store (a read answers) and the hardware event loop (its
/// queue drains). Each has a heartbeat task that beats only when its probe comes back; the
/// pinger sends `WATCHDOG=1` at half the interval only while every loop beat recently. A wedged
/// loop therefore stops the pings and systemd restarts the daemon (`WatchdogSec=`).
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

    /// Runs the heartbeats and the pinger until cancelled (nothing to do without a watchdog).
    func runWatchdog(inbox: CabinetInbox, store: CabinetStore, hardwareEvents: SimulatedEventQueue) async {
        guard let interval = notifier.watchdogInterval else { return }
        let period = max(interval / 4, .milliseconds(100))
        let start = ContinuousClock.now
        for loop in ["cabinet loop", "store", "hardware events"] {
            watchdog.register(loop, allowedStaleness: interval / 2, now: start)
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
            group.addTask {
                while !Task.isCancelled {
                    await hardwareEvents.drain()
                    watchdog.beat("hardware events", now: .now)
                    try? await Task.sleep(for: period)
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
