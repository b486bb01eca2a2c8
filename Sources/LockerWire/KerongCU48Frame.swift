/// One frame of the Kerong KR-CU48 / CU48B protocol, in either direction.
///
/// Wire shapes (hex; SUM = low byte of the sum of every preceding byte):
///
/// | Frame            | Bytes                                                    | Direction |
/// |------------------|----------------------------------------------------------|-----------|
/// | `.statusRequest` | `02 AD 00 60 03 SUM`                                     | request   |
/// | `.unlock`        | `02 AD LK 61 03 SUM` (LK 00-2F = lock 1-48)              | request   |
/// | `.unlockAll`     | `02 AD 30 61 03 SUM`                                     | request   |
/// | `.status`        | `02 AD 00 75 L0 L1 L2 L3 L4 L5 S0 S1 S2 S3 S4 S5 03 SUM` | reply     |
///
/// AD is the board address byte. Bit 0 of L0 is lock 1, bit 7 of L5 lock 48: bit n of
/// `doorBits` is lock n+1 (the same for the S bytes and `itemBits`). The sheet says a set lock
/// bit means "lock closed"; `KerongLockPolarity` still lets a configuration say otherwise.
/// Item (sensor) bits are taken as 1 = item present, as on the CU16.
public enum KerongCU48Frame: Sendable, Hashable {
    /// Ask board `board` for its lock and sensor bits (reply `.status`).
    case statusRequest(board: Int)
    /// Pulse lock `lock` (1-48) of board `board`.
    case unlock(board: Int, lock: Int)
    /// Pulse every lock of board `board`.
    case unlockAll(board: Int)
    /// A board's reply to `.statusRequest`; only the low 48 bits of each field are used.
    case status(board: Int, doorBits: UInt64, itemBits: UInt64)

    /// Board addresses: any byte (the public notes give no range).
    public static let boards: ClosedRange<Int> = 0...255
    /// Lock numbers of one board, as printed on it.
    public static let locks: ClosedRange<Int> = 1...48
    /// The bits of `doorBits` and `itemBits` that the wire carries.
    public static let bitMask: UInt64 = 1 << 48 - 1

    /// True for frames the controller sends, false for the boards' replies.
    public var isRequest: Bool {
        if case .status = self { return false }
        return true
    }

    /// The board the frame addresses or comes from.
    public var board: Int {
        switch self {
        case let .statusRequest(board), let .unlock(board, _), let .unlockAll(board), let .status(board, _, _):
            board
        }
    }
}

extension KerongCU48Frame: KerongFrame {
    public var request: KerongRequest? {
        switch self {
        case .statusRequest: .status
        case let .unlock(_, lock): .unlock(lock: lock)
        case .unlockAll: .unlockAll
        case .status: nil
        }
    }

    public var addressedBoard: Int? { board }

    public var statusFields: (board: Int, doorBits: UInt64, itemBits: UInt64)? {
        guard case let .status(board, doorBits, itemBits) = self else { return nil }
        return (board, doorBits, itemBits)
    }

    /// Always `.status`: the CU48 has no bus-wide request.
    public static func statusReply(board: Int, doorBits: UInt64, itemBits: UInt64, answering request: KerongRequest) -> KerongCU48Frame {
        .status(board: board, doorBits: doorBits & bitMask, itemBits: itemBits & bitMask)
    }

    // The sheet's meaning of a set lock bit (closed) is the default of the CU48 readings below.

    /// For `.status`: whether lock `lock` (1-48) is open, as the sheet reads the bit.
    public func isDoorOpen(lock: Int) -> Bool? {
        isDoorOpen(lock: lock, polarity: .setMeansClosed)
    }

    /// For `.status`: every lock's door state, as the sheet reads the bits; index 0 is lock 1.
    public func doorsOpen() -> [Bool]? {
        doorsOpen(polarity: .setMeansClosed)
    }

    /// A `.status` reply built from per-lock states under the sheet's polarity. For simulated boards.
    public static func status(board: Int, doorsOpen: [Bool], itemsPresent: [Bool]) -> KerongCU48Frame {
        status(board: board, doorsOpen: doorsOpen, itemsPresent: itemsPresent, polarity: .setMeansClosed)
    }
}

extension KerongCU48Frame: CustomStringConvertible {
    /// The wording of the vector tables' MEANING column ("unlock board 0 lock 1").
    public var description: String {
        switch self {
        case let .statusRequest(board):
            "status request to board \(board)"
        case let .unlock(board, lock):
            "unlock board \(board) lock \(lock)"
        case let .unlockAll(board):
            "unlock all locks of board \(board)"
        case let .status(board, doorBits, itemBits):
            "status of board \(board): " + describeBits(doorBits: doorBits, itemBits: itemBits)
        }
    }
}
