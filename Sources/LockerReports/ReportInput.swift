/// Everything a report is computed from, read from the store in one go.
public struct ReportInput: Sendable {
    public var cabinet: String
    /// Custody events (`ReportEventKind.custody`) from the start of the record, and every event
    /// the report reads within the period, in sequence order.
    public var events: [ReportEvent]
    /// The whole parcels table.
    public var parcels: [ReportParcel]
    public var compartments: [ReportCompartment]
    public var chain: ChainCheck
    /// In sequence order.
    public var acknowledgements: [UplinkAcknowledgementMark]
    /// Every event up to here is acknowledged (those acknowledged before their time was kept have no mark).
    public var acknowledgedThrough: Int64
    /// The newest checkpoint, when the record was compacted: parcels whose events were all
    /// removed behind it are in the parcels table only, and are not differences.
    public var checkpoint: ReportCompaction?

    public init(
        cabinet: String, events: [ReportEvent], parcels: [ReportParcel], compartments: [ReportCompartment], chain: ChainCheck,
        acknowledgements: [UplinkAcknowledgementMark] = [], acknowledgedThrough: Int64 = 0,
        checkpoint: ReportCompaction? = nil
    ) {
        self.cabinet = cabinet
        self.events = events
        self.parcels = parcels
        self.compartments = compartments
        self.chain = chain
        self.acknowledgements = acknowledgements
        self.acknowledgedThrough = acknowledgedThrough
        self.checkpoint = checkpoint
    }
}
