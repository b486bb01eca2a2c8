public import LockerHAL

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
    public func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
        while !Task.isCancelled {
            await pollOnce(delivering: handler)
            heartbeat()
            try await Task.sleep(for: .milliseconds(pollIntervalMilliseconds))
        }
    }
}
