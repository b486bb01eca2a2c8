/// One door's self-test: the latch was pulsed and the sensor had to see the door open.
public struct SelftestResult: Sendable, Codable, Equatable {
    /// "passed", "failed" (the door did not open: jammed or missing latch, dead channel, bad
    /// sensor) or "skipped" (holds parcels, in use, or its board is offline).
    public var outcome: String
    public var door: String
    public var detail: String

    public init(door: String, outcome: String, detail: String) {
        self.door = door
        self.outcome = outcome
        self.detail = detail
    }
}
