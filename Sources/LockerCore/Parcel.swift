public import Foundation

/// A parcel in (or through) the cabinet's custody.
public struct Parcel: Sendable, Equatable, Identifiable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// In its compartment, waiting for the recipient.
        case inCustody = "in_custody"
        /// Past its retention deadline, waiting for a courier to retrieve it.
        case overdue
        case pickedUp = "picked_up"
        case retrieved

        /// Still physically in the cabinet.
        public var isLive: Bool { self == .inCustody || self == .overdue }
    }

    public var id: Int64
    public var trackingNumber: String
    /// The central server's reference for the recipient ("" when unknown: such parcels never share).
    public var recipientReference: String
    public var size: CompartmentSize
    public var temperatureClass: TemperatureClass
    public var compartmentID: Int
    public var courierID: String
    public var depositedAt: Date
    public var retentionDeadline: Date
    public var status: Status
    /// The carrier of the courier who deposited it, as it was then ("" when unknown), so reports
    /// per carrier do not change when a courier list does.
    public var carrier: String

    public init(
        id: Int64, trackingNumber: String, recipientReference: String, size: CompartmentSize,
        temperatureClass: TemperatureClass, compartmentID: Int, courierID: String, depositedAt: Date,
        retentionDeadline: Date, status: Status = .inCustody, carrier: String = ""
    ) {
        self.carrier = carrier
        self.id = id
        self.trackingNumber = trackingNumber
        self.recipientReference = recipientReference
        self.size = size
        self.temperatureClass = temperatureClass
        self.compartmentID = compartmentID
        self.courierID = courierID
        self.depositedAt = depositedAt
        self.retentionDeadline = retentionDeadline
        self.status = status
    }

    /// The same parcel in another status.
    public func with(status: Status) -> Parcel {
        var parcel = self
        parcel.status = status
        return parcel
    }
}
