public import Foundation
public import LockerStore

/// One upload (`EventBatch` in openapi.yaml): events of one epoch, in sequence order.
public struct UplinkEventBatch: Sendable, Codable, Equatable {
    public struct ChainHead: Sendable, Codable, Equatable {
        public var sequence: Int64
        public var hash: String
        /// The epoch of the event at `sequence` (contract version 2; nil before the first event).
        public var epoch: String?

        public init(sequence: Int64, hash: String, epoch: String? = nil) {
            self.sequence = sequence
            self.hash = hash
            self.epoch = epoch
        }
    }

    /// The contract version this cabinet speaks (openapi.yaml, "Contract versions").
    public static let contractVersion = 3

    /// One event as the server receives it (`Event` in openapi.yaml).
    public struct Event: Sendable, Codable, Equatable {
        public var sequence: Int64
        public var epoch: String
        public var kind: String
        public var occurredAt: Date
        /// The exact text the hash covers for the wall-clock time (seconds since 1970). A string:
        /// a JSON number would be re-printed differently by every server language.
        public var occurredAtSeconds: String
        /// The exact text the hash covers for the monotonic time (a string: JavaScript and some
        /// JSON parsers lose integers above 2^53, about 104 days of uptime in nanoseconds).
        public var monotonicNanoseconds: String
        public var compartmentId: Int?
        public var door: String?
        public var parcelId: Int64?
        public var payload: String
        public var previousHash: String
        public var hash: String

        public init(_ event: RecordedEvent, door: String?) {
            sequence = event.sequence
            epoch = event.epoch
            kind = event.kind
            occurredAt = event.occurredAt
            let texts = EventHashChain.hashedTexts(occurredAt: event.occurredAt.timeIntervalSince1970,
                                                   monotonicNanoseconds: Int64(bitPattern: event.monotonicNanoseconds))
            occurredAtSeconds = texts.occurredAt
            monotonicNanoseconds = texts.monotonicNanoseconds
            compartmentId = event.compartmentID
            self.door = door
            parcelId = event.parcelID
            payload = event.payload
            previousHash = event.previousHash
            hash = event.hash
        }
    }

    public var cabinetId: String
    public var epoch: String
    public var epochFirstSequence: Int64
    public var sentAt: Date
    public var chainHead: ChainHead
    public var events: [Event]

    public init(cabinetId: String, epoch: String, epochFirstSequence: Int64, sentAt: Date, chainHead: ChainHead, events: [Event]) {
        self.cabinetId = cabinetId
        self.epoch = epoch
        self.epochFirstSequence = epochFirstSequence
        self.sentAt = sentAt
        self.chainHead = chainHead
        self.events = events
    }

    /// JSON for the wire: ISO 8601 dates, stable key order (the signature covers these bytes).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
        }
        return decoder
    }
}
