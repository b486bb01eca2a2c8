public import Foundation

/// One record of the hash-chained custody and audit log.
public struct EventReport: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var epoch: String
    public var kind: String
    public var occurredAt: Date
    public var door: String?
    public var parcelID: Int64?
    /// The event's payload, a JSON object as stored.
    public var payload: String
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, epoch: String, kind: String, occurredAt: Date, door: String?, parcelID: Int64?,
        payload: String, previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.epoch = epoch
        self.kind = kind
        self.occurredAt = occurredAt
        self.door = door
        self.parcelID = parcelID
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
    }
}
