/// The next event's sequence number and the hash it must chain to: what the `chain` row records
/// as `next_sequence` and `head` after the last committed event.
struct ChainTip: Sendable, Equatable {
    var nextSequence: Int64
    var head: String
}

/// The tip one transaction starts from and moves as it appends; the store keeps it only if the
/// transaction commits (see `CabinetStore.transaction`).
final class ChainTipBox {
    var tip: ChainTip?

    init(_ tip: ChainTip?) {
        self.tip = tip
    }
}
