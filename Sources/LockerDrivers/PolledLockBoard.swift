public import LockerHAL
import LockerSystem

/// A board driver whose door changes are found by polling (`pollOnce`): its event loop is the
/// same for every family, so it is written once here.
public protocol PolledLockBoard: Actor, LockBoard, HeartbeatingEventSource {
    var pollIntervalMilliseconds: Int { get }
    /// Holds the polls off while someone is at the keypad (its bus's; nil: never held).
    nonisolated var pollDeferral: PollDeferral? { get }
    func pollOnce(delivering handler: any HardwareEventHandler) async
}

extension PolledLockBoard {
    /// Polls until cancelled.
    public func run(delivering handler: any HardwareEventHandler) async throws {
        try await run(delivering: handler, heartbeat: {})
    }

    /// Polls until cancelled, with a heartbeat after every poll: a board that does not answer
    /// still completes its poll (a timeout), so the loop beats while the board is reported lost.
    ///
    /// The loop runs on a thread of its own (`DedicatedThreadExecutor`), which times the pause
    /// and makes the bus transaction itself: a quiet poll wakes it twice (the pause's end, the
    /// reply), where a `Task.sleep` (dispatch's timer thread, then a pool thread) and the bus's
    /// queue thread woke lockerd about seven times. It falls back to the shared threads if that
    /// thread cannot start.
    public func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
        let interval = Duration.milliseconds(pollIntervalMilliseconds)
        let deferral = pollDeferral
        /// The loop, whichever thread it runs on and however that thread sleeps.
        func poll(sleeping sleep: (Duration) async throws -> Void) async throws {
            while !Task.isCancelled {
                if let until = deferral?.heldUntil() {
                    // Someone is at the keypad (see PollDeferral): the poll waits, looking again
                    // at least once an interval, and the loop still beats.
                    heartbeat()
                    try await sleep(min(until - .now, interval))
                    continue
                }
                await pollOnce(delivering: handler)
                heartbeat()
                try await sleep(interval)
            }
        }
        guard let thread = try? DedicatedThreadExecutor(name: "poll board \(address)") else {
            return try await poll { try await Task.sleep(for: $0) }
        }
        defer { thread.stop() }
        try await withTaskExecutorPreference(thread) {
            try await poll { try await thread.sleep(for: $0) }
        }
    }
}
