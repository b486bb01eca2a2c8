public import FoundationEssentials

/// The record's newest checkpoint, as a report states it: events up to `throughSequence` (none
/// later than `coversUntil`) were compacted, except those of parcels still in custody or named
/// after the cut. A period from `coversUntil` on is complete in the kept events; before it, only
/// the totals of what was removed remain.
public struct ReportCompaction: Sendable, Codable, Equatable {
    /// The `record.checkpoint` event.
    public var checkpointSequence: Int64
    public var throughSequence: Int64
    public var coversUntil: Date
    /// Custody events from the start of the record through `throughSequence`.
    public var deposits: Int64
    public var pickups: Int64
    public var retrievals: Int64
    public var eventsRemoved: Int64

    public init(checkpointSequence: Int64, throughSequence: Int64, coversUntil: Date, deposits: Int64, pickups: Int64,
                retrievals: Int64, eventsRemoved: Int64) {
        self.checkpointSequence = checkpointSequence
        self.throughSequence = throughSequence
        self.coversUntil = coversUntil
        self.deposits = deposits
        self.pickups = pickups
        self.retrievals = retrievals
        self.eventsRemoved = eventsRemoved
    }

    /// Whether `period` starts before the compacted part ends (its figures then miss what was removed).
    public func overlaps(_ period: ReportPeriod) -> Bool { period.start < coversUntil }
}
