/// `audit.verify`: whether the hash chain of the custody and audit log is whole.
public struct AuditReport: Sendable, Codable, Equatable {
    public var intact: Bool
    /// Records checked.
    public var checked: Int64
    /// The last sequence number and its hash (the head the uplink sends upstream).
    public var headSequence: Int64
    public var headHash: String
    /// The first record found modified, removed or out of order, and what is wrong with it.
    public var firstBadSequence: Int64?
    public var problem: String?

    public init(intact: Bool, checked: Int64, headSequence: Int64, headHash: String, firstBadSequence: Int64?, problem: String?) {
        self.intact = intact
        self.checked = checked
        self.headSequence = headSequence
        self.headHash = headHash
        self.firstBadSequence = firstBadSequence
        self.problem = problem
    }
}
