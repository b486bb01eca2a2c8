import LockerHAL

/// A board wrapped for a test: `beforeUnlock` sees every latch command (board, channel) just
/// before it reaches the board, to note what the store or the cabinet held at that instant.
final class UnlockObservingBoard: LockBoard, Sendable {
    let inner: any LockBoard
    let beforeUnlock: @Sendable (_ board: Int, _ channel: Int) -> Void

    init(_ inner: any LockBoard, beforeUnlock: @escaping @Sendable (_ board: Int, _ channel: Int) -> Void) {
        self.inner = inner
        self.beforeUnlock = beforeUnlock
    }

    var address: Int { inner.address }
    var channelCount: Int { inner.channelCount }
    var hasItemSensors: Bool { inner.hasItemSensors }

    func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        beforeUnlock(inner.address, channel)
        try await inner.unlock(channel: channel, pulseMilliseconds: pulseMilliseconds)
    }

    func readStatus() async throws -> LockBoardStatus { try await inner.readStatus() }
    func releaseAll() async { await inner.releaseAll() }
}
