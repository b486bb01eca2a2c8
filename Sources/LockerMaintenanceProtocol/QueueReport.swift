public import FoundationEssentials

/// The store-and-forward queue towards the central server.
public struct QueueReport: Sendable, Codable, Equatable {
    /// "not_configured" until the uplink is set up, then "idle", "sending", "backing_off", or
    /// "halted" (a conflict the server reported stopped the upload until people resolve it).
    public var state: String
    /// Events recorded but not yet acknowledged by the server.
    public var depth: Int64
    public var oldestUnsentAt: Date?
    public var lastSuccessAt: Date?
    public var lastError: String?
    public var backoffSeconds: Double?
    /// When the upload stopped on a conflict the server reported (state "halted").
    public var haltedSince: Date?
    /// What a person does now (set while halted).
    public var action: String?
    /// Depth over the recent upload rate (nil when nothing is queued, the upload is halted, or
    /// no batch has been measured yet).
    public var estimatedDrainSeconds: Double?

    public init(state: String, depth: Int64, oldestUnsentAt: Date?, lastSuccessAt: Date?, lastError: String?,
                backoffSeconds: Double?) {
        self.state = state
        self.depth = depth
        self.oldestUnsentAt = oldestUnsentAt
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.backoffSeconds = backoffSeconds
    }
}
