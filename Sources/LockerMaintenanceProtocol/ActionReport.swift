/// The result of a maintenance action (open, open-all, quarantine, enable).
public struct ActionReport: Sendable, Codable, Equatable {
    public struct DoorResult: Sendable, Codable, Equatable {
        public var door: String
        /// "done", "refused" or "failed".
        public var result: String
        public var detail: String

        public init(door: String, result: String, detail: String) {
            self.door = door
            self.result = result
            self.detail = detail
        }
    }

    /// Sequence number of the audit record that says who did it and why.
    public var auditSequence: Int64?
    public var doors: [DoorResult]

    public init(auditSequence: Int64?, doors: [DoorResult]) {
        self.auditSequence = auditSequence
        self.doors = doors
    }
}
