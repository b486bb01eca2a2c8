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

extension KerongCU48Frame {
    /// For `.status`: whether lock `lock` (1-48) is open; the sheet's meaning is
    /// `.setMeansClosed`. Nil for other frames and lock numbers outside 1-48.
    public func isDoorOpen(lock: Int, polarity: KerongLockPolarity = .setMeansClosed) -> Bool? {
        guard case let .status(_, doorBits, _) = self, Self.locks.contains(lock) else { return nil }
        return polarity.isOpen(bitSet: LockBits.isSet(doorBits, number: lock))
    }

    /// For `.status`: whether the sensor of lock `lock` (1-48) sees an item.
    public func isItemPresent(lock: Int) -> Bool? {
        guard case let .status(_, _, itemBits) = self, Self.locks.contains(lock) else { return nil }
        return LockBits.isSet(itemBits, number: lock)
    }

    /// For `.status`: every lock's door state; index 0 is lock 1.
    public func doorsOpen(polarity: KerongLockPolarity = .setMeansClosed) -> [Bool]? {
        guard case let .status(_, doorBits, _) = self else { return nil }
        return LockBits.flags(doorBits, width: 48).map { polarity.isOpen(bitSet: $0) }
    }

    /// For `.status`: every lock's item sensor; index 0 is lock 1.
    public var itemsPresent: [Bool]? {
        guard case let .status(_, _, itemBits) = self else { return nil }
        return LockBits.flags(itemBits, width: 48)
    }

    /// A `.status` reply built from per-lock states (index 0 is lock 1; missing entries are
    /// closed and empty, entries past lock 48 are ignored). For simulated boards.
    public static func status(
        board: Int, doorsOpen: [Bool], itemsPresent: [Bool], polarity: KerongLockPolarity = .setMeansClosed
    ) -> KerongCU48Frame {
        let doorFlags = (0..<48).map { polarity.bit(open: $0 < doorsOpen.count && doorsOpen[$0]) }
        return .status(
            board: board,
            doorBits: LockBits.pack(doorFlags),
            itemBits: LockBits.pack(itemsPresent.prefix(48))
        )
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
            "status of board \(board): lock bits set: \(LockBits.describe(doorBits, width: 48)); "
                + "item bits set: \(LockBits.describe(itemBits, width: 48))"
        }
    }
}
