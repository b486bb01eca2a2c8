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
}
