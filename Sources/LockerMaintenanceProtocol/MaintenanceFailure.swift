/// Why a request was not carried out: a stable machine-readable code and a sentence for the person.
public struct MaintenanceFailure: Sendable, Codable, Equatable, Error, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The line is not JSON, or not a request object.
        case malformed
        /// The line exceeded `MaintenanceProtocol.maximumRequestBytes`; the connection is closed.
        case tooLarge = "too_large"
        /// A command this daemon does not know (a newer lockerctl, a typo).
        case unknownCommand = "unknown_command"
        /// The client speaks a newer protocol version.
        case unsupportedVersion = "unsupported_version"
        /// A required argument is missing or wrong (no reason, an unknown door).
        case badRequest = "bad_request"
        /// The peer may not use this command (read-only group, or not admitted at all).
        case forbidden
        /// The command was valid but the cabinet could not do it (board offline, door holds parcels).
        case refused
        /// The store or the hardware failed while doing it.
        case failed
        /// The client did not read its events fast enough; the subscription ends.
        case lagging
        /// Too many clients at once.
        case busy
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
