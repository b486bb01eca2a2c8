/// The central server acknowledged the events `firstSequence...throughSequence` at
/// `acknowledgedAt`. The store keeps one mark per acknowledgement that moved the uplink forward,
/// so an event's acknowledgement time is that of the mark that covers it; events acknowledged
/// before the marks were kept are covered by none (their delay is unknown, not made up).
public struct UplinkAcknowledgementMark: Sendable, Equatable {
    public var firstSequence: Int64
    public var throughSequence: Int64
    /// Wall-clock seconds since 1970.
    public var acknowledgedAt: Double

    public init(firstSequence: Int64, throughSequence: Int64, acknowledgedAt: Double) {
        self.firstSequence = firstSequence
        self.throughSequence = throughSequence
        self.acknowledgedAt = acknowledgedAt
    }
}
