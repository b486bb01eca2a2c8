/// One frame of the Kerong KR-CU16 protocol (also CU12, NCU16L), in either direction.
///
/// Wire shapes (hex; SUM = low byte of the sum of every preceding byte):
///
/// | Frame              | Bytes                                             | Direction |
/// |--------------------|---------------------------------------------------|-----------|
/// | `.statusRequest`   | `02 B0 30 03 SUM`                                 | request   |
/// | `.unlock`          | `02 BL 31 03 SUM`                                 | request   |
/// | `.busStatusRequest`| `02 F0 32 03 27`                                  | request   |
/// | `.unlockAll`       | `02 B0 33 03 SUM`                                 | request   |
/// | `.status`          | `02 B0 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM`         | reply     |
/// | `.busStatus`       | `02 B0 36 L1-8 L9-16 IR1-8 IR9-16 03 SUM`         | reply     |
///
/// B is the board id (0-9, DIP switch), L the lock index (0-15 on the wire, lock 1-16 here).
/// Commands that address a whole board carry lock index 0. Bit 0 of `L1-8` is lock 1 and bit 0
/// of `L9-16` lock 9 (the same for the IR bytes), so bit n of `doorBits`/`itemBits` is lock n+1.
/// Item bits: 1 = item present. Lock bits: polarity differs between board revisions, see
/// `KerongLockPolarity`. An unlock has no reply: confirm it by polling status.
public enum KerongCU16Frame: Sendable, Hashable {
    /// Ask board `board` for its lock and item bits (reply `.status`).
    case statusRequest(board: Int)
    /// Pulse lock `lock` (1-16) of board `board`.
    case unlock(board: Int, lock: Int)
    /// Ask every board on the bus for its bits (each replies `.busStatus`).
    case busStatusRequest
    /// Pulse every lock of board `board`.
    case unlockAll(board: Int)
    /// A board's reply to `.statusRequest`.
    case status(board: Int, doorBits: UInt16, itemBits: UInt16)
    /// A board's reply to `.busStatusRequest` (same layout as `.status`, command 36).
    case busStatus(board: Int, doorBits: UInt16, itemBits: UInt16)

    /// Board ids on one chain.
    public static let boards: ClosedRange<Int> = 0...9
    /// Lock numbers of one board, as printed on it.
    public static let locks: ClosedRange<Int> = 1...16

    /// True for frames the controller sends, false for the boards' replies.
    public var isRequest: Bool {
        switch self {
        case .statusRequest, .unlock, .busStatusRequest, .unlockAll: true
        case .status, .busStatus: false
        }
    }

    /// The board the frame addresses or comes from; nil for the bus-wide status request.
    public var board: Int? {
        switch self {
        case let .statusRequest(board), let .unlock(board, _), let .unlockAll(board),
             let .status(board, _, _), let .busStatus(board, _, _):
            board
        case .busStatusRequest:
            nil
        }
    }
}

extension KerongCU16Frame: KerongFrame {
    public var request: KerongRequest? {
        switch self {
        case .statusRequest: .status
        case let .unlock(_, lock): .unlock(lock: lock)
        case .busStatusRequest: .busStatus
        case .unlockAll: .unlockAll
        case .status, .busStatus: nil
        }
    }

    public var addressedBoard: Int? { board }

    /// For a status reply (`.status` or `.busStatus`, same layout).
    public var statusFields: (board: Int, doorBits: UInt64, itemBits: UInt64)? {
        switch self {
        case let .status(board, doorBits, itemBits), let .busStatus(board, doorBits, itemBits):
            (board, UInt64(doorBits), UInt64(itemBits))
        default:
            nil
        }
    }

    /// `.busStatus` for the bus status request, `.status` for the rest.
    public static func statusReply(board: Int, doorBits: UInt64, itemBits: UInt64, answering request: KerongRequest) -> KerongCU16Frame {
        let (doors, items) = (UInt16(truncatingIfNeeded: doorBits), UInt16(truncatingIfNeeded: itemBits))
        return request == .busStatus
            ? .busStatus(board: board, doorBits: doors, itemBits: items)
            : .status(board: board, doorBits: doors, itemBits: items)
    }
}

extension KerongCU16Frame: CustomStringConvertible {
    /// The wording of the vector tables' MEANING column ("unlock board 0 lock 1").
    public var description: String {
        switch self {
        case let .statusRequest(board):
            "status request to board \(board)"
        case let .unlock(board, lock):
            "unlock board \(board) lock \(lock)"
        case .busStatusRequest:
            "bus status request to every board"
        case let .unlockAll(board):
            "unlock all locks of board \(board)"
        case let .status(board, doorBits, itemBits):
            "status of board \(board): " + describeBits(doorBits: UInt64(doorBits), itemBits: UInt64(itemBits))
        case let .busStatus(board, doorBits, itemBits):
            "bus status of board \(board): " + describeBits(doorBits: UInt64(doorBits), itemBits: UInt64(itemBits))
        }
    }
}
