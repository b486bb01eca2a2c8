/// What a "set" lock feedback means on the generic 8A/80 board: a status byte 11 in the reply to
/// an open (00 = clear), or a set bit in the reply to read all.
///
/// The vendor sheet leaves it to the lock's feedback type (a switch that closes when the latch
/// opens, or one that opens), so the board's configuration names it.
public enum EightAFeedbackPolarity: Sendable, Hashable, CaseIterable {
    /// Status 11 / a set bit means the lock is open.
    case setMeansOpen
    /// Status 11 / a set bit means the lock is closed.
    case setMeansClosed

    /// Whether a channel whose feedback is `set` is open.
    public func isOpen(set: Bool) -> Bool {
        switch self {
        case .setMeansOpen: set
        case .setMeansClosed: !set
        }
    }

    /// The feedback a board reports for a channel that is `open` (simulators).
    public func feedback(open: Bool) -> Bool {
        switch self {
        case .setMeansOpen: open
        case .setMeansClosed: !open
        }
    }
}
