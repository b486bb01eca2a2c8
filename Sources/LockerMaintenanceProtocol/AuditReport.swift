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
    /// Set when the record was compacted: the verification started from this checkpoint (the
    /// `record.checkpoint` event), whose cut is event `compactedThrough` with hash
    /// `compactedThroughHash`, and `keptBeforeCut` events before the cut stay (parcels inside).
    /// Optional in the JSON: a daemon that never compacted leaves them out.
    public var checkpointSequence: Int64?
    public var compactedThrough: Int64?
    public var compactedThroughHash: String?
    public var keptBeforeCut: Int?

    public init(intact: Bool, checked: Int64, headSequence: Int64, headHash: String, firstBadSequence: Int64?, problem: String?,
                checkpointSequence: Int64? = nil, compactedThrough: Int64? = nil, compactedThroughHash: String? = nil,
                keptBeforeCut: Int? = nil) {
        self.intact = intact
        self.checked = checked
        self.headSequence = headSequence
        self.headHash = headHash
        self.firstBadSequence = firstBadSequence
        self.problem = problem
        self.checkpointSequence = checkpointSequence
        self.compactedThrough = compactedThrough
        self.compactedThroughHash = compactedThroughHash
        self.keptBeforeCut = keptBeforeCut
    }
}
