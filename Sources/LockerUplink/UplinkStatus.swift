public import Foundation
public import LockerStore

/// What the uplink is doing, for the maintenance interface and the metrics.
public struct UplinkStatus: Sendable, Equatable {
    public enum State: String, Sendable {
        case idle
        case sending
        case backingOff = "backing_off"
        /// Stopped on a conflict until a technician resumes (`halt` says why and what to do).
        case halted
    }

    public var state: State = .idle
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var lastErrorAt: Date?
    /// The wait in force after the last failure.
    public var backoffSeconds: Double?
    public var consecutiveFailures: Int = 0
    public var acknowledgedSequence: Int64 = 0
    public var halt: UplinkHalt?
    /// The contract version the server announced in its last acknowledgement (1 when it announced none).
    public var serverContractVersion: Int?
    /// The window the server announced (contract version 3): batches in flight and events held
    /// beyond its acknowledgement. Nil: one batch at a time.
    public var serverWindow: Int?
    public var serverWindowEvents: Int64?
    /// The server takes gzip bodies (contract version 3, `contentEncodings`).
    public var serverAcceptsGzip = false
    /// Events acknowledged per second of request time, smoothed over recent batches (nil before
    /// the first batch): what `lockerctl queue` estimates the time to drain from.
    public var drainEventsPerSecond: Double?

    public init() {}
}
