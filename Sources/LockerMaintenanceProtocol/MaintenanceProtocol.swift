public import FoundationEssentials

/// The maintenance socket's protocol: one JSON object per line in each direction.
///
/// A client writes a `MaintenanceRequest` line and reads one `MaintenanceResponse` line per request,
/// in order. After `events.follow` the connection only carries event lines until it is closed.
/// The full description and its version history are in `Sources/LockerMaintenanceProtocol/PROTOCOL.md`.
public enum MaintenanceProtocol {
    /// Raised when a request or response changes incompatibly; additions keep the number. The
    /// daemon answers each request in the version it was asked in (1 or 2), so older clients keep
    /// working; see PROTOCOL.md's version history.
    public static let version = 2
    /// A request line longer than this is refused and the connection closed: nothing a technician
    /// types comes close, and a bound keeps a broken client from growing the daemon's memory.
    public static let maximumRequestBytes = 16 * 1024
    public static let defaultSocketPath = "/run/lockerd/maintenance.sock"

    public enum Command: String, Sendable, Codable, CaseIterable {
        case status
        case compartments
        case parcels
        case events
        case eventsFollow = "events.follow"
        case open
        case openAll = "open-all"
        case quarantine
        case enable
        case selftest
        case queue
        case temps
        case diag
        case auditVerify = "audit.verify"
        case metrics
        case sim
        /// Lifts the uplink's halt after a conflict (audited; needs a reason).
        case uplinkResume = "uplink.resume"
        /// The keypad lockout and the courier PIN throttles as they stand.
        case lockout
        /// Clears the keypad lockout and every courier throttle (audited; needs a reason).
        case lockoutClear = "lockout.clear"
        /// Reconciliation and the station's figures for a period, from the store.
        case report

        /// Commands the read-only group may use: they look, they never move a latch or change state.
        public var isReadOnly: Bool {
            switch self {
            case .status, .compartments, .parcels, .events, .eventsFollow, .queue, .temps, .auditVerify, .metrics, .lockout, .report:
                return true
            case .open, .openAll, .quarantine, .enable, .selftest, .diag, .sim, .uplinkResume, .lockoutClear:
                return false
            }
        }
    }

    /// Encoder for both directions: one line per value (no pretty printing), stable key order,
    /// dates as ISO 8601 with fractional seconds so events sort and compare exactly.
    public static func encoder(version: Int = version) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.userInfo[versionKey] = version
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
            let strategy = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            if let date = try? strategy.parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 date: \(text)")
        }
        return decoder
    }

    /// One line of JSON (no newline inside: JSONEncoder escapes control characters in strings).
    public static func line(_ value: some Encodable, version: Int = version) throws -> String {
        String(decoding: try encoder(version: version).encode(value), as: UTF8.self)
    }

    /// Where the encoder keeps the protocol version a line is written in.
    static let versionKey = CodingUserInfoKey(rawValue: "lockerd.maintenance.version")!

    /// The version a value is being encoded in (the current one unless the encoder says otherwise).
    static func version(of encoder: any Encoder) -> Int {
        encoder.userInfo[versionKey] as? Int ?? version
    }
}
