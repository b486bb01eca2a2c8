public import LockerHAL
import LockerSystem

/// A board driver whose door changes are found by polling (`pollOnce`): its event loop is the
/// same for every family, so it is written once here.
public protocol PolledLockBoard: Actor, LockBoard, HeartbeatingEventSource {
    var pollIntervalMilliseconds: Int { get }
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
        guard let thread = try? DedicatedThreadExecutor(name: "poll board \(address)") else {
            while !Task.isCancelled {
                await pollOnce(delivering: handler)
                heartbeat()
                try await Task.sleep(for: .milliseconds(pollIntervalMilliseconds))
            }
            return
        }
        defer { thread.stop() }
        try await withTaskExecutorPreference(thread) {
            while !Task.isCancelled {
                await pollOnce(delivering: handler)
                heartbeat()
                try await thread.sleep(for: .milliseconds(pollIntervalMilliseconds))
            }
        }
    }
}
