/// What the frames of the Kerong models (CU16, CU48) have in common: status replies carry one
/// lock bit and one item bit per lock (bit n is lock n+1), and requests address one board or,
/// on the CU16, the whole bus. The status decoding below is written once for both models.
public protocol KerongFrame: Sendable, Hashable, CustomStringConvertible {
    /// Board addresses of the model on one chain.
    static var boards: ClosedRange<Int> { get }
    /// Lock numbers of one board, as printed on it.
    static var locks: ClosedRange<Int> { get }
    /// Ask board `board` for its lock and item bits (a model's enum case).
    static func statusRequest(board: Int) -> Self
    /// Pulse lock `lock` of board `board` (a model's enum case).
    static func unlock(board: Int, lock: Int) -> Self
    /// What the frame asks, or nil for a board's reply.
    var request: KerongRequest? { get }
    /// The board the frame addresses or comes from; nil for a request to every board.
    var addressedBoard: Int? { get }
    /// For a status reply: the board and its bit fields (widened to 64 bits); nil otherwise.
    var statusFields: (board: Int, doorBits: UInt64, itemBits: UInt64)? { get }
    /// The reply of `board` to a status request of kind `request` (`.status` or `.busStatus`)
    /// carrying these bits; bits past the model's last lock are dropped.
    static func statusReply(board: Int, doorBits: UInt64, itemBits: UInt64, answering request: KerongRequest) -> Self
}

extension KerongFrame {
    static var lockCount: Int { locks.upperBound }

    /// For a reply to a status request to one board (not the CU16's bus-wide one): that board.
    public var statusReplyBoard: Int? {
        guard let fields = statusFields,
              self == Self.statusReply(board: fields.board, doorBits: fields.doorBits, itemBits: fields.itemBits, answering: .status)
        else { return nil }
        return fields.board
    }

    /// For a status reply: whether lock `lock` is open under `polarity`. Nil for other frames and
    /// for lock numbers outside `locks`.
    public func isDoorOpen(lock: Int, polarity: KerongLockPolarity) -> Bool? {
        guard let fields = statusFields, Self.locks.contains(lock) else { return nil }
        return polarity.isOpen(bitSet: LockBits.isSet(fields.doorBits, number: lock))
    }

    /// For a status reply: whether the item sensor of lock `lock` sees an item (1 = present).
    public func isItemPresent(lock: Int) -> Bool? {
        guard let fields = statusFields, Self.locks.contains(lock) else { return nil }
        return LockBits.isSet(fields.itemBits, number: lock)
    }

    /// For a status reply: every lock's door state under `polarity`; index 0 is lock 1.
    public func doorsOpen(polarity: KerongLockPolarity) -> [Bool]? {
        guard let fields = statusFields else { return nil }
        return LockBits.flags(fields.doorBits, width: Self.lockCount).map { polarity.isOpen(bitSet: $0) }
    }

    /// For a status reply: every lock's item sensor; index 0 is lock 1.
    public var itemsPresent: [Bool]? {
        guard let fields = statusFields else { return nil }
        return LockBits.flags(fields.itemBits, width: Self.lockCount)
    }

    /// A status reply built from per-lock states (index 0 is lock 1; missing entries are closed
    /// and empty, entries past the last lock are ignored), answering a request of kind `request`.
    /// For simulated boards.
    public static func status(board: Int, doorsOpen: [Bool], itemsPresent: [Bool], polarity: KerongLockPolarity,
                              answering request: KerongRequest = .status) -> Self {
        let doorFlags = (0..<lockCount).map { polarity.bit(open: $0 < doorsOpen.count && doorsOpen[$0]) }
        return statusReply(board: board, doorBits: LockBits.pack(doorFlags),
                           itemBits: LockBits.pack(itemsPresent.prefix(lockCount)), answering: request)
    }

    /// The vector tables' wording of a status reply's bits ("lock bits set: 1-8; item bits set: none").
    func describeBits(doorBits: UInt64, itemBits: UInt64) -> String {
        "lock bits set: \(LockBits.describe(doorBits, width: Self.lockCount)); "
            + "item bits set: \(LockBits.describe(itemBits, width: Self.lockCount))"
    }
}
