public import LockerHAL

/// Stands in for a configured board that could not be opened at start (a missing GPIO chip or
/// serial device): every call fails with the reason, so the controller takes the board's
/// compartments offline and reports why, while the rest of the cabinet keeps serving.
public struct UnavailableLockBoard: LockBoard {
    public let address: Int
    public let channelCount: Int
    public let reason: String
    public var hasItemSensors: Bool { false }

    public init(address: Int, channelCount: Int, reason: String) {
        self.address = address
        self.channelCount = channelCount
        self.reason = reason
    }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        throw HardwareError.boardNotAnswering(board: address, detail: reason)
    }

    public func readStatus() async throws -> LockBoardStatus {
        throw HardwareError.boardNotAnswering(board: address, detail: reason)
    }

    /// Nothing was opened, so nothing can be energised.
    public func releaseAll() async {}
}
