/// What a set lock bit in a Kerong status reply means.
///
/// Board revisions and public drivers disagree on the polarity of the CU16 lock bits; the CU48
/// sheet says 1 = lock closed. The board's configuration names it; the codecs only report bits.
public enum KerongLockPolarity: Sendable, Hashable, CaseIterable {
    /// A set bit means the lock (door) is open.
    case setMeansOpen
    /// A set bit means the lock (door) is closed (the CU48 sheet's meaning).
    case setMeansClosed

    /// Whether a lock whose bit is `bitSet` is open.
    public func isOpen(bitSet: Bool) -> Bool {
        switch self {
        case .setMeansOpen: bitSet
        case .setMeansClosed: !bitSet
        }
    }

    /// The bit a board reports for a lock that is `open` (simulators).
    public func bit(open: Bool) -> Bool {
        switch self {
        case .setMeansOpen: open
        case .setMeansClosed: !open
        }
    }
}
