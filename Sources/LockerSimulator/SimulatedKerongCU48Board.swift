public import LockerWire

/// The board side of the Kerong KR-CU48 / CU48B protocol, built on the same codec the driver
/// uses: it turns request bytes into reply bytes for one simulated board, so the driver can be
/// tested over a pseudo-terminal.
///
/// A status request to this board is answered with the lock bits under `polarity` (the sheet's
/// meaning is a set bit for a closed lock) and the item bits. An unlock (one lock or all) is
/// executed; whether the real board answers it is not documented, so `answersUnlock` chooses:
/// when set, the board answers with its status after the pulse. Frames for other boards, replies
/// and garbage get no answer.
public struct SimulatedKerongCU48Board: Sendable {
    /// What the board can see and do; the simulated cabinet or the test provides it.
    public struct Hardware: Sendable {
        /// Door (lock) and item states; index 0 is lock 1, missing entries read closed and empty.
        public var readDoors: @Sendable () -> (doors: [Bool], items: [Bool])
        /// Pulses lock `lock` (1-48).
        public var pulse: @Sendable (_ lock: Int) -> Void

        public init(readDoors: @escaping @Sendable () -> (doors: [Bool], items: [Bool]),
                    pulse: @escaping @Sendable (Int) -> Void) {
            self.readDoors = readDoors
            self.pulse = pulse
        }
    }

    /// The board address byte, 0-255.
    public let board: Int
    public let polarity: KerongLockPolarity
    /// Whether an unlock is answered (with the status after the pulse).
    public let answersUnlock: Bool
    let hardware: Hardware
    private var decoder = KerongCU48Codec()
    private var received: [UInt8] = []
    /// Requests to this board that were executed, in order, for tests.
    public private(set) var executed: [KerongCU48Frame] = []
    /// Frames dropped as garbage, with the decoder's reason.
    public private(set) var garbage: [String] = []

    /// - Precondition: `board` is 0-255.
    public init(board: Int, polarity: KerongLockPolarity = .setMeansClosed, answersUnlock: Bool = false,
                hardware: Hardware) {
        precondition(KerongCU48Frame.boards.contains(board), "Kerong CU48 board address \(board) is outside 0-255")
        self.board = board
        self.polarity = polarity
        self.answersUnlock = answersUnlock
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

    private mutating func answer(_ frame: KerongCU48Frame) -> [UInt8] {
        guard frame.isRequest, frame.board == board else { return [] }
        executed.append(frame)
        switch frame {
        case .unlock(_, let lock):
            hardware.pulse(lock)
            return answersUnlock ? KerongCU48Codec.encode(statusReply()) : []
        case .unlockAll:
            for lock in KerongCU48Frame.locks { hardware.pulse(lock) }
            return answersUnlock ? KerongCU48Codec.encode(statusReply()) : []
        case .statusRequest:
            return KerongCU48Codec.encode(statusReply())
        case .status:
            return []
        }
    }

    private func statusReply() -> KerongCU48Frame {
        let (doors, items) = hardware.readDoors()
        return .status(board: board, doorsOpen: doors, itemsPresent: items, polarity: polarity)
    }
}
