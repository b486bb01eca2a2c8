import LockerHAL

/// What a simulated board's firmware is connected to: one board of the simulated cabinet (its
/// doors, item sensors and latches) and the settings the configuration gives it. Every family's
/// simulated firmware is built from this, whatever its protocol.
public struct SimulatedBoardWiring: Sendable {
    /// The address the firmware answers to (the cabinet's board number).
    public var address: Int
    public var channelCount: Int
    /// What a set lock/feedback bit means on the simulated board (families with polarity).
    public var setBitMeansOpen: Bool
    /// Door and item states; index 0 is channel 1.
    public var readDoors: @Sendable () -> (doors: [Bool], items: [Bool])
    /// Pulses a channel's latch; false when the cabinet refused it (no such channel).
    public var pulse: @Sendable (_ channel: Int) -> Bool

    public init(address: Int, channelCount: Int, setBitMeansOpen: Bool,
                readDoors: @escaping @Sendable () -> (doors: [Bool], items: [Bool]),
                pulse: @escaping @Sendable (Int) -> Bool) {
        self.address = address
        self.channelCount = channelCount
        self.setBitMeansOpen = setBitMeansOpen
        self.readDoors = readDoors
        self.pulse = pulse
    }

    /// The wiring of board `address` of `cabinet`; nil when the cabinet has no such board.
    public init?(cabinet: SimulatedCabinet, address: Int, setBitMeansOpen: Bool) {
        guard let spec = cabinet.boards.first(where: { $0.address == address }) else { return nil }
        self.init(
            address: address, channelCount: spec.channelCount, setBitMeansOpen: setBitMeansOpen,
            readDoors: {
                let status = (try? cabinet.sensorStatus(board: address)) ?? LockBoardStatus(doorOpen: [])
                return (status.doorOpen, status.itemPresent ?? Array(repeating: false, count: status.doorOpen.count))
            },
            pulse: { channel in (try? cabinet.pulseLatch(board: address, channel: channel)) != nil })
    }
}
