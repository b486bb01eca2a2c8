import Foundation

/// `uplink.mqtt`: the same contract over an MQTT v5 broker instead of HTTPS (see the contract's
/// "MQTT binding"). With it, `uplink.url` names the broker (`mqtts://host:8883`, or `mqtt://`
/// to a loopback address), and `caFile`, `clientCertificateFile` and `clientKeyFile` are the
/// broker's TLS; the client id is the cabinet id.
public struct UplinkMQTTConfiguration: Sendable, Codable, Equatable {
    /// Topics are `<topicPrefix>/<cabinet id>/events|acks|commands|status` (some managed brokers
    /// fix topic shapes).
    public var topicPrefix: String
    public var keepAliveSeconds: Int
    /// How long the broker keeps this cabinet's session (its subscriptions and the QoS 1
    /// messages queued for it) while it is away: a persistent session (clean start false).
    public var sessionExpirySeconds: Int
    /// The broker's largest packet: batches stay below it (128 KB on some managed brokers).
    public var maximumPacketBytes: Int
    /// The server's Ed25519 public key (base64 of 32 bytes): every acknowledgement and command
    /// that comes over the broker must be signed by it, or it is dropped (a forged
    /// acknowledgement would let compaction drop events the server never stored).
    public var serverPublicKey: String

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case topicPrefix, keepAliveSeconds, sessionExpirySeconds, maximumPacketBytes, serverPublicKey
    }

    public init(serverPublicKey: String, topicPrefix: String = "lockers", keepAliveSeconds: Int = 60,
                sessionExpirySeconds: Int = 7 * 86_400, maximumPacketBytes: Int = 128 * 1024) {
        self.serverPublicKey = serverPublicKey
        self.topicPrefix = topicPrefix
        self.keepAliveSeconds = keepAliveSeconds
        self.sessionExpirySeconds = sessionExpirySeconds
        self.maximumPacketBytes = maximumPacketBytes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UplinkMQTTConfiguration(serverPublicKey: "")
        serverPublicKey = try c.decode(String.self, forKey: .serverPublicKey)
        topicPrefix = try c.decodeIfPresent(String.self, forKey: .topicPrefix) ?? d.topicPrefix
        keepAliveSeconds = try c.decodeIfPresent(Int.self, forKey: .keepAliveSeconds) ?? d.keepAliveSeconds
        sessionExpirySeconds = try c.decodeIfPresent(Int.self, forKey: .sessionExpirySeconds) ?? d.sessionExpirySeconds
        maximumPacketBytes = try c.decodeIfPresent(Int.self, forKey: .maximumPacketBytes) ?? d.maximumPacketBytes
    }

    /// Room a batch's body leaves in a packet for the topic and the properties (signature,
    /// contract version, correlation data, encoding).
    public static let packetOverheadBytes = 2_048

    /// Every problem with this section, for the configuration check.
    public func problems() -> [String] {
        var problems: [String] = []
        if Data(base64Encoded: serverPublicKey)?.count != 32 {
            problems.append("uplink.mqtt.serverPublicKey must be the base64 of a 32-byte Ed25519 public key")
        }
        if topicPrefix.isEmpty || topicPrefix.count > 64 || topicPrefix.contains(where: { "+#\0".contains($0) })
            || topicPrefix.hasPrefix("/") || topicPrefix.hasSuffix("/") || topicPrefix.hasPrefix("$") {
            problems.append("uplink.mqtt.topicPrefix must be 1...64 characters without + # or a leading $ or /, is \"\(topicPrefix.prefix(64))\"")
        }
        if !(5...3_600).contains(keepAliveSeconds) { problems.append("uplink.mqtt.keepAliveSeconds must be 5...3600, is \(keepAliveSeconds)") }
        if !(0...(365 * 86_400)).contains(sessionExpirySeconds) {
            problems.append("uplink.mqtt.sessionExpirySeconds must be 0...31536000, is \(sessionExpirySeconds)")
        }
        if !(16_384...268_435_455).contains(maximumPacketBytes) {
            problems.append("uplink.mqtt.maximumPacketBytes must be 16384...268435455, is \(maximumPacketBytes)")
        }
        return problems
    }
}
