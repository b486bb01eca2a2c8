import Foundation

/// The `uplink` section of the configuration: where the central server is and how to reach it.
public struct UplinkConfiguration: Sendable, Codable, Equatable {
    /// The server's base URL, e.g. "https://central.example.com". Plain "http://" is accepted for
    /// loopback addresses only (tests, a local relay); anything else must be HTTPS.
    public var url: String
    /// PEM file of the CA(s) that sign the server's certificate; nil: the system's trust store.
    public var caFile: String?
    /// PEM client certificate and key for mutual TLS; both or neither.
    public var clientCertificateFile: String?
    public var clientKeyFile: String?
    /// A batch holds at most this many events and this many bytes of JSON (a backlog goes in
    /// batches as large as these allow; a few new events go at once, as small as they are).
    public var batchEvents: Int
    public var batchBytes: Int
    /// At most this many batches in flight at once, when the server allows several (contract
    /// version 3 announces its window; older servers get one at a time).
    public var batchesInFlight: Int
    /// Backoff after a failure: a random wait up to min(cap, base * 2^failures) seconds.
    public var backoffBaseSeconds: Double
    public var backoffCapSeconds: Double
    /// With nothing to send, ask the server for commands this often.
    public var pollSeconds: Double
    /// A request that takes longer than this has failed.
    public var timeoutSeconds: Double
    /// An alarm event (`uplink.backlog_old`) when the oldest event the server has not
    /// acknowledged is older than this.
    public var backlogAlarmHours: Double
    /// The server's Ed25519 public key for remote-open commands (base64 of the 32 raw bytes);
    /// without it no remote open is carried out.
    public var commandPublicKey: String?
    /// At most this many remote opens in any hour: a compromised server cannot empty the cabinet.
    public var remoteOpensPerHour: Int
    /// The server's keys for offline credentials (pickup QR codes, courier badges), by key id:
    /// base64 of each 32-byte Ed25519 public key.
    public var credentialKeys: [String: String]
    /// The server's X25519 public key (base64) for sealing the pickup codes the cabinet draws into
    /// their deposit events; without it the code reaches only the courier's display.
    public var codeSealingKey: String?
    /// The same contract over an MQTT v5 broker (nil: HTTPS to `url`).
    public var mqtt: UplinkMQTTConfiguration?

    /// Every key of the section; public and `CaseIterable` so the daemon's configuration check
    /// can refuse unknown keys with exactly the list this decoder reads.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case url, caFile, clientCertificateFile, clientKeyFile, batchEvents, batchBytes, batchesInFlight, backoffBaseSeconds
        case backoffCapSeconds, pollSeconds, timeoutSeconds, backlogAlarmHours, commandPublicKey, remoteOpensPerHour, credentialKeys, codeSealingKey
        case mqtt
    }

    public init(url: String, caFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil,
                batchEvents: Int = 1_000, batchBytes: Int = 512 * 1024, batchesInFlight: Int = 4, backoffBaseSeconds: Double = 1,
                backoffCapSeconds: Double = 300, pollSeconds: Double = 60, timeoutSeconds: Double = 30) {
        self.url = url
        self.caFile = caFile
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.batchEvents = batchEvents
        self.batchBytes = batchBytes
        self.batchesInFlight = batchesInFlight
        self.backoffBaseSeconds = backoffBaseSeconds
        self.backoffCapSeconds = backoffCapSeconds
        self.pollSeconds = pollSeconds
        self.timeoutSeconds = timeoutSeconds
        self.backlogAlarmHours = 24
        self.commandPublicKey = nil
        self.remoteOpensPerHour = 3
        self.credentialKeys = [:]
        self.codeSealingKey = nil
        self.mqtt = nil
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = UplinkConfiguration(url: "")
        url = try c.decode(String.self, forKey: .url)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        clientCertificateFile = try c.decodeIfPresent(String.self, forKey: .clientCertificateFile)
        clientKeyFile = try c.decodeIfPresent(String.self, forKey: .clientKeyFile)
        batchEvents = try c.decodeIfPresent(Int.self, forKey: .batchEvents) ?? d.batchEvents
        batchBytes = try c.decodeIfPresent(Int.self, forKey: .batchBytes) ?? d.batchBytes
        batchesInFlight = try c.decodeIfPresent(Int.self, forKey: .batchesInFlight) ?? d.batchesInFlight
        backoffBaseSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffBaseSeconds) ?? d.backoffBaseSeconds
        backoffCapSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffCapSeconds) ?? d.backoffCapSeconds
        pollSeconds = try c.decodeIfPresent(Double.self, forKey: .pollSeconds) ?? d.pollSeconds
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds
        backlogAlarmHours = try c.decodeIfPresent(Double.self, forKey: .backlogAlarmHours) ?? d.backlogAlarmHours
        commandPublicKey = try c.decodeIfPresent(String.self, forKey: .commandPublicKey)
        remoteOpensPerHour = try c.decodeIfPresent(Int.self, forKey: .remoteOpensPerHour) ?? d.remoteOpensPerHour
        credentialKeys = try c.decodeIfPresent([String: String].self, forKey: .credentialKeys) ?? [:]
        codeSealingKey = try c.decodeIfPresent(String.self, forKey: .codeSealingKey)
        mqtt = try c.decodeIfPresent(UplinkMQTTConfiguration.self, forKey: .mqtt)
    }

    /// The largest batch body: `batchBytes`, and below the broker's packet limit over MQTT.
    public var effectiveBatchBytes: Int {
        guard let mqtt else { return batchBytes }
        return min(batchBytes, max(4_096, mqtt.maximumPacketBytes - UplinkMQTTConfiguration.packetOverheadBytes))
    }

    /// Every problem with this section, for the configuration check.
    public func problems() -> [String] {
        var problems: [String] = []
        let lower = url.lowercased()
        if let mqtt {
            problems += mqtt.problems()
            if lower.hasPrefix("mqtt://") {
                let host = lower.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
                if !(host == "localhost" || host.hasPrefix("127.")) {
                    problems.append("uplink.url must be mqtts:// (plain mqtt only to a loopback address), is \(url)")
                }
            } else if !lower.hasPrefix("mqtts://") {
                problems.append("uplink.url must start with mqtts:// when uplink.mqtt is given, is \"\(url)\"")
            }
        } else if lower.hasPrefix("http://") {
            let host = lower.dropFirst(7).prefix { $0 != "/" && $0 != ":" }
            if !(host == "localhost" || host.hasPrefix("127.") || lower.hasPrefix("http://[::1]")) {
                problems.append("uplink.url must be https:// (plain http only to a loopback address), is \(url)")
            }
        } else if !lower.hasPrefix("https://") {
            problems.append("uplink.url must start with https://, is \"\(url)\"")
        }
        if (clientCertificateFile == nil) != (clientKeyFile == nil) {
            problems.append("uplink.clientCertificateFile and uplink.clientKeyFile go together")
        }
        if !(1...5_000).contains(batchEvents) { problems.append("uplink.batchEvents must be 1...5000, is \(batchEvents)") }
        if !(1...16).contains(batchesInFlight) { problems.append("uplink.batchesInFlight must be 1...16, is \(batchesInFlight)") }
        if !(4_096...4_194_304).contains(batchBytes) { problems.append("uplink.batchBytes must be 4096...4194304, is \(batchBytes)") }
        if !(backoffBaseSeconds > 0 && backoffBaseSeconds <= backoffCapSeconds && backoffCapSeconds <= 86_400) {
            problems.append("uplink backoff must satisfy 0 < backoffBaseSeconds <= backoffCapSeconds <= 86400")
        }
        if !(pollSeconds >= 1 && pollSeconds <= 86_400) { problems.append("uplink.pollSeconds must be 1...86400") }
        if !(timeoutSeconds >= 0.1 && timeoutSeconds <= 600) { problems.append("uplink.timeoutSeconds must be 0.1...600") }
        if !(backlogAlarmHours >= 0.1 && backlogAlarmHours <= 720) {
            problems.append("uplink.backlogAlarmHours must be 0.1...720, is \(backlogAlarmHours)")
        }
        if let key = commandPublicKey, Data(base64Encoded: key)?.count != 32 {
            problems.append("uplink.commandPublicKey must be the base64 of a 32-byte Ed25519 public key")
        }
        for (kid, key) in credentialKeys.sorted(by: { $0.key < $1.key }) where Data(base64Encoded: key)?.count != 32 {
            problems.append("uplink.credentialKeys.\(kid) must be the base64 of a 32-byte Ed25519 public key")
        }
        if let key = codeSealingKey, Data(base64Encoded: key)?.count != 32 {
            problems.append("uplink.codeSealingKey must be the base64 of a 32-byte X25519 public key")
        }
        if !(0...60).contains(remoteOpensPerHour) { problems.append("uplink.remoteOpensPerHour must be 0...60, is \(remoteOpensPerHour)") }
        return problems
    }
}
