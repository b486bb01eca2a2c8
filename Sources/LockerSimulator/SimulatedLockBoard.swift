public import LockerHAL

/// One simulated lock board: the `LockBoard` face of a board in a `SimulatedCabinet`.
public struct SimulatedLockBoard: LockBoard {
    public let spec: SimulatedCabinet.BoardSpec
    let cabinet: SimulatedCabinet

    public var address: Int { spec.address }
    public var channelCount: Int { spec.channelCount }
    public var hasItemSensors: Bool { spec.hasItemSensors }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        try cabinet.pulseLatch(board: spec.address, channel: channel)
    }

    public func readStatus() async throws -> LockBoardStatus {
        try cabinet.sensorStatus(board: spec.address)
    }

    /// A simulated pulse is instantaneous, so no latch is ever left energised; the cabinet only
    /// records the call, so tests can check that shutdown reached every board.
    public func releaseAll() async {
        cabinet.latchesReleased(board: spec.address)
    }
}
