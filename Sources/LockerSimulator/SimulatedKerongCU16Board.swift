public import LockerWire

/// The board side of the Kerong KR-CU16 protocol, built on the same codec the driver uses: it
/// turns request bytes into reply bytes for one simulated board, so the driver can be tested over
/// a pseudo-terminal.
///
/// As the real board: an unlock (one lock or all) is executed and not answered; a status request
/// to this board id, and the bus status request, are answered with the lock bits under
/// `polarity` and the item bits. Frames for other boards, replies and garbage get no answer.
public struct SimulatedKerongCU16Board: Sendable {
    /// What the board can see and do; the simulated cabinet or the test provides it.
    public struct Hardware: Sendable {
        /// Door (lock) and item states; index 0 is lock 1, missing entries read closed and empty.
        public var readDoors: @Sendable () -> (doors: [Bool], items: [Bool])
        /// Pulses lock `lock` (1-16).
        public var pulse: @Sendable (_ lock: Int) -> Void

        public init(readDoors: @escaping @Sendable () -> (doors: [Bool], items: [Bool]),
                    pulse: @escaping @Sendable (Int) -> Void) {
            self.readDoors = readDoors
            self.pulse = pulse
        }
    }

    /// The board id, 0-9.
    public let board: Int
    public let polarity: KerongLockPolarity
    let hardware: Hardware
    private var decoder = KerongCU16Codec()
    private var received: [UInt8] = []
    /// Requests to this board (or the bus) that were executed, in order, for tests.
    public private(set) var executed: [KerongCU16Frame] = []
    /// Frames dropped as garbage, with the decoder's reason.
    public private(set) var garbage: [String] = []

    /// - Precondition: `board` is 0-9.
    public init(board: Int, polarity: KerongLockPolarity = .setMeansOpen, hardware: Hardware) {
        precondition(KerongCU16Frame.boards.contains(board), "Kerong CU16 board id \(board) is outside 0-9")
        self.board = board
        self.polarity = polarity
        self.hardware = hardware
    }

    /// Feeds bytes from the bus; returns the bytes the board transmits in answer.
    public mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        received += bytes
        var output: [UInt8] = []
        while let result = decoder.decode(&received) {
            switch result {
            case .skipped(_, let reason):
                garbage.append(reason)
            case .frame(let frame):
                output += answer(frame)
            }
        }
        return output
    }

    private mutating func answer(_ frame: KerongCU16Frame) -> [UInt8] {
        guard frame.isRequest, frame.board == nil || frame.board == board else { return [] }
        executed.append(frame)
        switch frame {
        case .unlock(_, let lock):
            hardware.pulse(lock)
            return []
        case .unlockAll:
            for lock in KerongCU16Frame.locks { hardware.pulse(lock) }
            return []
        case .statusRequest:
            return KerongCU16Codec.encode(statusReply())
        case .busStatusRequest:
            guard case let .status(board, doorBits, itemBits) = statusReply() else { return [] }
            return KerongCU16Codec.encode(.busStatus(board: board, doorBits: doorBits, itemBits: itemBits))
        case .status, .busStatus:
            return []
        }
    }

    private func statusReply() -> KerongCU16Frame {
        let (doors, items) = hardware.readDoors()
        return .status(board: board, doorsOpen: doors, itemsPresent: items, polarity: polarity)
    }
}
