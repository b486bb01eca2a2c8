/// One entry of the custody record as a report reads it: the stored event with the few payload
/// fields reports use already taken out (the store extracts them in SQL, so a month of events is
/// not JSON-decoded one by one).
public struct ReportEvent: Sendable, Equatable {
    public var sequence: Int64
    /// The event kind's name as recorded ("deposit.committed"); see `ReportEventKind`.
    public var kind: String
    /// Wall-clock seconds since 1970.
    public var occurredAt: Double
    public var compartmentID: Int?
    /// The event's own parcel (deposits, overdue).
    public var parcelID: Int64?
    /// The parcels a pickup or retrieval took (`parcel_ids`).
    public var parcelIDs: [Int64]
    /// Deposits: the parcel's temperature class, size, courier, carrier and tracking number.
    public var temperatureClass: String?
    public var size: String?
    /// Deposits and retrievals: who.
    public var courierID: String?
    public var carrier: String?
    public var trackingNumber: String?
    /// Lockouts: the wrong codes that led to it; board outages: the board; excursions: the zone.
    public var count: Int64?
    public var subject: String?
    /// Retrievals made in a batch: when the batch started (the same for all its doors).
    public var batchStartedAt: Double?

    public init(
        sequence: Int64, kind: String, occurredAt: Double, compartmentID: Int? = nil, parcelID: Int64? = nil,
        parcelIDs: [Int64] = [], temperatureClass: String? = nil, size: String? = nil, courierID: String? = nil,
        carrier: String? = nil, trackingNumber: String? = nil, count: Int64? = nil, subject: String? = nil,
        batchStartedAt: Double? = nil
    ) {
        self.sequence = sequence
        self.kind = kind
        self.occurredAt = occurredAt
        self.compartmentID = compartmentID
        self.parcelID = parcelID
        self.parcelIDs = parcelIDs
        self.temperatureClass = temperatureClass
        self.size = size
        self.courierID = courierID
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.count = count
        self.subject = subject
        self.batchStartedAt = batchStartedAt
    }
}
