public import FoundationEssentials

/// A parcel in custody.
public struct ParcelReport: Sendable, Codable, Equatable {
    public var id: Int64
    public var trackingNumber: String
    public var door: String
    public var size: String
    public var temperatureClass: String
    public var courier: String
    public var depositedAt: Date
    public var retentionDeadline: Date
    public var ageSeconds: Int
    public var overdue: Bool
    /// Its pickup code was issued under a lost device key (`codes.invalidated`): the recipient
    /// needs a new code from the server. Absent (false) from older daemons.
    public var codeInvalidated: Bool?

    public init(
        id: Int64, trackingNumber: String, door: String, size: String, temperatureClass: String, courier: String,
        depositedAt: Date, retentionDeadline: Date, ageSeconds: Int, overdue: Bool, codeInvalidated: Bool? = nil
    ) {
        self.codeInvalidated = codeInvalidated
        self.id = id
        self.trackingNumber = trackingNumber
        self.door = door
        self.size = size
        self.temperatureClass = temperatureClass
        self.courier = courier
        self.depositedAt = depositedAt
        self.retentionDeadline = retentionDeadline
        self.ageSeconds = ageSeconds
        self.overdue = overdue
    }
}
