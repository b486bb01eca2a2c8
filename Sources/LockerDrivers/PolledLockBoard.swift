public import LockerHAL

/// A board driver whose door changes are found by polling (`pollOnce`): its event loop is the
/// same for every family, so it is written once here.
public protocol PolledLockBoard: Actor, LockBoard, HardwareEventSource {
    var pollIntervalMilliseconds: Int { get }
    func pollOnce(delivering handler: any HardwareEventHandler) async
}

extension PolledLockBoard {
    /// Polls until cancelled.
    public func run(delivering handler: any HardwareEventHandler) async throws {
        while !Task.isCancelled {
            await pollOnce(delivering: handler)
            try await Task.sleep(for: .milliseconds(pollIntervalMilliseconds))
        }
    }
}
