/// A row of the parcels table as a report reads it: the live state the record is checked against.
public struct ReportParcel: Sendable, Equatable {
    public var id: Int64
    public var trackingNumber: String
    public var size: String
    public var temperatureClass: String
    public var compartmentID: Int
    public var courierID: String
    /// The courier's carrier when the parcel was deposited ("" for parcels deposited before it was recorded).
    public var carrier: String
    public var depositedAt: Double
    public var retentionDeadline: Double
    /// "in_custody", "overdue", "picked_up" or "retrieved".
    public var status: String
    public var endedAt: Double?

    public init(
        id: Int64, trackingNumber: String, size: String, temperatureClass: String, compartmentID: Int, courierID: String,
        carrier: String = "", depositedAt: Double, retentionDeadline: Double, status: String, endedAt: Double? = nil
    ) {
        self.id = id
        self.trackingNumber = trackingNumber
        self.size = size
        self.temperatureClass = temperatureClass
        self.compartmentID = compartmentID
        self.courierID = courierID
        self.carrier = carrier
        self.depositedAt = depositedAt
        self.retentionDeadline = retentionDeadline
        self.status = status
        self.endedAt = endedAt
    }

    public var isLive: Bool { status == "in_custody" || status == "overdue" }
}
