/// What the store's hash-chain verification found, as the report states it.
public struct ChainCheck: Sendable, Codable, Equatable {
    public var intact: Bool
    /// Events rehashed (the whole record, which covers the period).
    public var eventsChecked: Int64
    /// The first event found modified, removed or out of order, and what is wrong with it.
    public var firstBadSequence: Int64?
    public var problem: String?

    public init(intact: Bool, eventsChecked: Int64, firstBadSequence: Int64? = nil, problem: String? = nil) {
        self.intact = intact
        self.eventsChecked = eventsChecked
        self.firstBadSequence = firstBadSequence
        self.problem = problem
    }
}
