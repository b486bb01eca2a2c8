public import LockerWire

/// The board side of a Kerong protocol (CU16 or CU48, chosen by `Codec`), built on the same codec
/// the driver uses: it turns request bytes into reply bytes for one simulated board, so the driver
/// can be tested over a pseudo-terminal.
///
/// As the real boards: a status request to this board (or, on the CU16, to the whole bus) is
/// answered with the lock bits under `polarity` and the item bits. An unlock (one lock or all) is
/// executed and not answered, unless `answersUnlock` is set: whether a CU48 answers an unlock is
/// not documented, so tests choose, and the board then answers with its status after the pulse.
/// Frames for other boards, replies and garbage get no answer.
public struct SimulatedKerongBoard<Codec: KerongCodec>: Sendable {
    public typealias Frame = Codec.Frame

    /// What the board can see and do; the simulated cabinet or the test provides it.
    public struct Hardware: Sendable {
        /// Door (lock) and item states; index 0 is lock 1, missing entries read closed and empty.
        public var readDoors: @Sendable () -> (doors: [Bool], items: [Bool])
        /// Pulses lock `lock` (1-based).
        public var pulse: @Sendable (_ lock: Int) -> Void

        public init(readDoors: @escaping @Sendable () -> (doors: [Bool], items: [Bool]),
                    pulse: @escaping @Sendable (Int) -> Void) {
            self.readDoors = readDoors
            self.pulse = pulse
        }
    }

    /// The board address (CU16: id 0-9; CU48: one byte).
    public let board: Int
    public let polarity: KerongLockPolarity
    /// Whether an unlock is answered (with the status after the pulse).
    public let answersUnlock: Bool
    let hardware: Hardware
    private var receiver = SimulatedBusReceiver(Codec())
    /// Requests to this board (or the bus) that were executed, in order, for tests (the most
    /// recent ones, see `RecentLog`).
    public var executed: [Frame] { executedLog.recent }
    private var executedLog = RecentLog<Frame>()
    /// Frames dropped as garbage, with the decoder's reason.
    public var garbage: [String] { receiver.garbage }

    /// - Precondition: `board` is one of the model's addresses.
    public init(board: Int, polarity: KerongLockPolarity = Codec.defaultPolarity, answersUnlock: Bool = false, hardware: Hardware) {
        precondition(Frame.boards.contains(board),
                     "\(Codec.family) board address \(board) is outside \(Frame.boards.lowerBound)-\(Frame.boards.upperBound)")
        self.board = board
        self.polarity = polarity
        self.answersUnlock = answersUnlock
        self.hardware = hardware
    }

    /// Feeds bytes from the bus; returns the bytes the board transmits in answer.
    public mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        receiver.frames(from: bytes).flatMap { answer($0) }
    }

    private mutating func answer(_ frame: Frame) -> [UInt8] {
        guard let request = frame.request, frame.addressedBoard == nil || frame.addressedBoard == board else { return [] }
        executedLog.append(frame)
        switch request {
        case .unlock(let lock):
            hardware.pulse(lock)
            return answersUnlock ? Codec.encode(statusReply(answering: .status)) : []
        case .unlockAll:
            for lock in Frame.locks { hardware.pulse(lock) }
            return answersUnlock ? Codec.encode(statusReply(answering: .status)) : []
        case .status, .busStatus:
            return Codec.encode(statusReply(answering: request))
        }
    }

    private func statusReply(answering request: KerongRequest) -> Frame {
        let (doors, items) = hardware.readDoors()
        return Frame.status(board: board, doorsOpen: doors, itemsPresent: items, polarity: polarity, answering: request)
    }
}

extension SimulatedKerongBoard: SimulatedBoardFirmware {
    public var busAddress: Int { board }
}

/// A simulated Kerong KR-CU16 board (never answers an unlock; answers the bus status request).
public typealias SimulatedKerongCU16Board = SimulatedKerongBoard<KerongCU16Codec>
/// A simulated Kerong KR-CU48 board.
public typealias SimulatedKerongCU48Board = SimulatedKerongBoard<KerongCU48Codec>
