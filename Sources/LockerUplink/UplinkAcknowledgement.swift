import Crypto
import Foundation

/// The server's answer to an upload (`Acknowledgement` in openapi.yaml).
public struct UplinkAcknowledgement: Sendable, Codable, Equatable {
    /// A downlink command (`Command` in openapi.yaml), kept as the server sent it.
    public struct Command: Sendable, Codable, Equatable {
        public struct PreAdvice: Sendable, Codable, Equatable {
            public var trackingNumber: String
            public var recipientReference: String?
            public var size: String
            public var temperatureClass: String?
            public var needsAccessible: Bool?
            /// A pickup code the server issued (digits, over TLS); the cabinet keeps only its keyed hash.
            public var pickupCode: String?
            public var retentionHours: Double?

            public init(trackingNumber: String, recipientReference: String? = nil, size: String, temperatureClass: String? = nil) {
                self.trackingNumber = trackingNumber
                self.recipientReference = recipientReference
                self.size = size
                self.temperatureClass = temperatureClass
            }
        }

        /// One courier of a `courier_credentials` list. `pinHash` is the lowercase hex SHA-256 of
        /// `<cabinetId>|<courier id>|<PIN>` (salted per cabinet and courier).
        public struct CourierCredential: Sendable, Codable, Equatable {
            public var id: String
            public var name: String
            public var carrier: String?
            public var pinHash: String

            public init(id: String, name: String, carrier: String? = nil, pinHash: String) {
                self.id = id
                self.name = name
                self.carrier = carrier
                self.pinHash = pinHash
            }

            public static func pinHash(cabinetID: String, courierID: String, pin: String) -> String {
                SHA256.hash(data: Data("\(cabinetID)|\(courierID)|\(pin)".utf8)).map { String(format: "%02x", $0) }.joined()
            }
        }

        public var id: String
        public var type: String
        public var preAdvice: PreAdvice?
        public var couriers: [CourierCredential]?
        /// For `configuration`: the fields to change (see `CabinetConfiguration.remotelyChangeable`).
        public var configuration: [String: JSONValue]?
        public var parcelId: Int64?
        public var extendHours: Double?
        public var door: String?
        public var reason: String?
        /// ISO 8601, kept as sent: the remote-open signature covers this exact text.
        public var notAfter: String?
        public var signature: String?
        /// For `resend_events` (version 3): send the events of `epoch` again from `fromSequence`.
        public var epoch: String?
        public var fromSequence: Int64?

        public init(id: String, type: String) {
            self.id = id
            self.type = type
        }

        /// The type given to a command whose fields could not be read.
        public static let malformedType = "malformed"

        /// What a remote open's Ed25519 signature covers: binds it to one command id, one cabinet,
        /// one door and one deadline.
        public func remoteOpenSignedText(cabinetID: String) -> String {
            [id, cabinetID, door ?? "", notAfter ?? ""].joined(separator: "|")
        }
    }

    public var epoch: String
    /// Highest sequence of `epoch` up to which the server has stored every event.
    public var ackedSequence: Int64
    /// The contract version the server implements (absent: 1).
    public var contractVersion: Int?
    /// (version 3) How many batches the server lets a cabinet have in flight at once (1-16).
    public var window: Int?
    /// (version 3) How many events beyond `ackedSequence` the server holds while a gap before
    /// them is still open: batches may arrive out of order within this reach.
    public var windowEvents: Int64?
    /// (version 3) Content encodings the server accepts for upload bodies (`gzip`).
    public var contentEncodings: [String]?
    public var commands: [Command]?

    enum CodingKeys: String, CodingKey {
        case epoch, ackedSequence, contractVersion, window, windowEvents, contentEncodings, commands
    }

    /// Commands are read one by one: one the cabinet cannot read becomes a `malformed` command
    /// (refused by id, with a result saying so) instead of making the whole answer unreadable,
    /// which would stop the upload for good.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(String.self, forKey: .epoch)
        ackedSequence = try c.decode(Int64.self, forKey: .ackedSequence)
        contractVersion = try? c.decodeIfPresent(Int.self, forKey: .contractVersion)
        window = try? c.decodeIfPresent(Int.self, forKey: .window)
        windowEvents = try? c.decodeIfPresent(Int64.self, forKey: .windowEvents)
        contentEncodings = try? c.decodeIfPresent([String].self, forKey: .contentEncodings)
        guard var list = try? c.nestedUnkeyedContainer(forKey: .commands) else {
            commands = nil
            return
        }
        var read: [Command] = []
        while !list.isAtEnd {
            if let command = try? list.decode(Command.self) {
                read.append(command)
            } else if let bare = try? list.decode(IdentifiedOnly.self) {
                read.append(Command(id: bare.id, type: Command.malformedType))
            } else {
                _ = try? list.decode(Skipped.self)
            }
        }
        commands = read
    }

    private struct IdentifiedOnly: Decodable {
        var id: String
    }

    private struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    public init(epoch: String, ackedSequence: Int64, contractVersion: Int? = nil, window: Int? = nil,
                windowEvents: Int64? = nil, contentEncodings: [String]? = nil, commands: [Command]? = nil) {
        self.epoch = epoch
        self.ackedSequence = ackedSequence
        self.contractVersion = contractVersion
        self.window = window
        self.windowEvents = windowEvents
        self.contentEncodings = contentEncodings
        self.commands = commands
    }
}

/// An error answer (`Problem` in openapi.yaml).
public struct UplinkProblem: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public var ackedSequence: Int64?
    /// The event the problem is about (`hash_conflict`, `bad_hash`).
    public var sequence: Int64?

    public init(code: String, message: String, ackedSequence: Int64? = nil, sequence: Int64? = nil) {
        self.code = code
        self.message = message
        self.ackedSequence = ackedSequence
        self.sequence = sequence
    }
}
