public import FoundationEssentials

/// One record of the hash-chained custody and audit log.
public struct EventReport: Sendable, Codable, Equatable {
    public var sequence: Int64
    public var epoch: String
    public var kind: String
    public var occurredAt: Date
    public var door: String?
    public var parcelID: Int64?
    /// The event's payload, a JSON object as stored. On the wire: in protocol version 1 this text
    /// as a string, from version 2 a JSON object with ISO 8601 times (see `EventPayload`).
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

extension EventReport {
    enum CodingKeys: String, CodingKey {
        case sequence, epoch, kind, occurredAt, door, parcelID, payload, previousHash, hash
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try c.decode(Int64.self, forKey: .sequence)
        epoch = try c.decode(String.self, forKey: .epoch)
        kind = try c.decode(String.self, forKey: .kind)
        occurredAt = try c.decode(Date.self, forKey: .occurredAt)
        door = try c.decodeIfPresent(String.self, forKey: .door)
        parcelID = try c.decodeIfPresent(Int64.self, forKey: .parcelID)
        // Either version's answer: a string (1) or an object (2).
        if let text = try? c.decode(String.self, forKey: .payload) {
            payload = text
        } else {
            payload = try c.decode(EventPayload.self, forKey: .payload).text
        }
        previousHash = try c.decode(String.self, forKey: .previousHash)
        hash = try c.decode(String.self, forKey: .hash)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(kind, forKey: .kind)
        try c.encode(occurredAt, forKey: .occurredAt)
        try c.encodeIfPresent(door, forKey: .door)
        try c.encodeIfPresent(parcelID, forKey: .parcelID)
        if MaintenanceProtocol.version(of: encoder) >= 2, let object = EventPayload(storedText: payload) {
            try c.encode(object, forKey: .payload)
        } else {
            try c.encode(payload, forKey: .payload)
        }
        try c.encode(previousHash, forKey: .previousHash)
        try c.encode(hash, forKey: .hash)
    }
}

