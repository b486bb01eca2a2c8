public import Foundation

/// An event as committed in the outbox.
public struct RecordedEvent: Sendable, Equatable {
    public var sequence: Int64
    public var epoch: String
    public var kind: String
    public var occurredAt: Date
    public var monotonicNanoseconds: UInt64
    public var compartmentID: Int?
    public var parcelID: Int64?
    /// JSON object text.
    public var payload: String
    /// The hash of the event before this one (`EventHashChain.genesis` for the first).
    public var previousHash: String
    /// This event's hash (see `EventHashChain`).
    public var hash: String
}
