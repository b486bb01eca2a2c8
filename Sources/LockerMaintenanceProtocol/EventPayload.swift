public import FoundationEssentials

/// An event's payload as protocol version 2 sends it: a JSON object (version 1 sent the stored
/// text as a string inside the JSON), with the times the store keeps as seconds since 1970 given
/// as ISO 8601 dates like every other date of the protocol.
///
/// The stored payload is never changed (it is hash-chained and uploaded as it is): this is only
/// how the maintenance socket shows it. `lockerctl audit verify` and the server hash the stored text.
public indirect enum EventPayload: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([EventPayload])
    case object([String: EventPayload])

    /// Payload fields that hold a time as seconds since 1970 (the custody core's `.double` times).
    public static let timeFields: Set<String> = [
        "retention_deadline", "outage_from", "outage_to", "started_at", "ended_at", "deposited_at", "halted_at",
        "last_failure_at", "locked_until", "acknowledged_at", "occurred_at", "start_time", "end_time",
    ]

    /// The stored text read as JSON, its time fields as dates; nil when it is not JSON.
    public init?(storedText: String) {
        guard let value = try? JSONDecoder().decode(EventPayload.self, from: Data(storedText.utf8)) else { return nil }
        self = value.withISODates()
    }

    /// The payload as one line of JSON text with sorted keys (what version 1 carried, near enough
    /// for reading: the stored text's key order and number spelling are not kept).
    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private func withISODates() -> EventPayload {
        switch self {
        case .object(let fields):
            var converted: [String: EventPayload] = [:]
            for (key, value) in fields {
                if Self.timeFields.contains(key), case .number(let seconds) = value {
                    converted[key] = .string(Date(timeIntervalSince1970: seconds)
                        .formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                } else {
                    converted[key] = value.withISODates()
                }
            }
            return .object(converted)
        case .array(let values):
            return .array(values.map { $0.withISODates() })
        case .null, .bool, .number, .string:
            return self
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([EventPayload].self) { self = .array(value) }
        else { self = .object(try container.decode([String: EventPayload].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
