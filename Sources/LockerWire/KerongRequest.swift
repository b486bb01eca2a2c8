/// What a Kerong request frame asks a board to do, whatever the model (CU16 or CU48): the part of
/// a frame a simulated board acts on.
public enum KerongRequest: Sendable, Hashable {
    /// Report the lock and item bits.
    case status
    /// Report the bits, asked of every board on the bus at once (CU16 only).
    case busStatus
    /// Pulse one lock (1-based, as printed on the board).
    case unlock(lock: Int)
    /// Pulse every lock of the board.
    case unlockAll
}
