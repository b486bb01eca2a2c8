import Crypto
public import Foundation
import Synchronization
public import LockerUplink
public import Logging

/// The uplink's contract over an MQTT v5 broker (the contract's "MQTT binding"): each batch is
/// published at QoS 1 to `<prefix>/<cabinet>/events` with the message id as correlation data and
/// the signature, contract version and encoding as user properties; the ingest side publishes
/// its Acknowledgement to `<prefix>/<cabinet>/acks` with the same correlation data, and commands
/// on its own to `<prefix>/<cabinet>/commands`. Both must carry the server's Ed25519 signature
/// over the body (`lockerd-signature`), checked here against `uplink.mqtt.serverPublicKey`; an
/// unsigned or forged one is dropped, so a broker (or anyone who can publish there) cannot move
/// the cabinet's acknowledgement. `<prefix>/<cabinet>/status` is "online" (retained) while
/// connected, and the broker publishes the last will "offline" when the connection dies; both
/// carry this process's instance id (`lockerd-instance`), which is how a clone is seen.
///
/// A second client with this cabinet's id (a cloned card) takes the session whenever it
/// connects. The broker should say so (reason 0x8E), but mosquitto 2.0 closes the connection
/// first, so here it looks like any lost connection. The status topic tells instead: the cabinet
/// subscribes to its own status before publishing "online", so once it has seen its own instance
/// there, a later status from another instance can only have been published after its own, by
/// another client with its id. The status left by the previous run of this cabinet (a restart)
/// comes as the retained message of the first subscription, before the cabinet's own: no alarm.
///
/// The session is persistent (clean start false, `sessionExpirySeconds`): acknowledgements and
/// commands published while the cabinet is away wait at the broker. Nothing here is durable:
/// the outbox is, and the contract's resend from it covers anything a broker loses.
public final class MQTTUplinkTransport: UplinkMessageTransport {
    public let incoming: AsyncStream<UplinkIncoming>
    private let continuation: AsyncStream<UplinkIncoming>.Continuation
    private let client: MQTTClient
    private let topics: Topics
    private let serverKey: Curve25519.Signing.PublicKey
    private let logger: Logger
    /// Random per transport (per run of lockerd): tells this cabinet's status from a clone's.
    let instance: String
    /// Whether this instance's own status came back from the broker yet.
    private let ownStatusSeen = Mutex(false)
    private let onSessionTakenOver: (@Sendable () -> Void)?
    private let cabinetID: String

    struct Topics {
        let events, acks, commands, status: String

        init(prefix: String, cabinet: String) {
            let base = "\(prefix)/\(cabinet)"
            (events, acks, commands, status) = ("\(base)/events", "\(base)/acks", "\(base)/commands", "\(base)/status")
        }
    }

    /// - Parameters:
    ///   - url: the broker, `mqtts://host:port` or `mqtt://host:port` (1883 and 8883 by default).
    ///   - onSessionTakenOver: called (on the client's thread) when the broker said another
    ///     client took this cabinet's session; the daemon records an alarm.
    public init(configuration: UplinkConfiguration, cabinetID: String, logger: Logger,
                reconnectBaseSeconds: Double = 0.5, reconnectCapSeconds: Double = 30,
                onSessionTakenOver: (@Sendable () -> Void)? = nil) throws {
        guard let mqtt = configuration.mqtt else { throw MQTTClient.Failure(description: "uplink.mqtt is not configured") }
        guard let url = URL(string: configuration.url), let scheme = url.scheme?.lowercased(), ["mqtt", "mqtts"].contains(scheme),
              let host = url.host else {
            throw MQTTClient.Failure(description: "uplink.url \(configuration.url) is not an mqtt:// or mqtts:// broker address")
        }
        guard let keyBytes = Data(base64Encoded: mqtt.serverPublicKey),
              let serverKey = try? Curve25519.Signing.PublicKey(rawRepresentation: keyBytes) else {
            throw MQTTClient.Failure(description: "uplink.mqtt.serverPublicKey is not a base64 Ed25519 public key")
        }
        self.serverKey = serverKey
        self.logger = logger
        self.cabinetID = cabinetID
        self.onSessionTakenOver = onSessionTakenOver
        instance = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let topics = Topics(prefix: mqtt.topicPrefix, cabinet: cabinetID)
        self.topics = topics
        var settings = MQTTClient.Settings(clientID: cabinetID, host: host, port: url.port ?? (scheme == "mqtts" ? 8883 : 1883))
        settings.keepAliveSeconds = mqtt.keepAliveSeconds
        settings.sessionExpirySeconds = mqtt.sessionExpirySeconds
        // Plain MQTT (loopback only): the broker's ACLs know the cabinet by its username.
        if scheme == "mqtt" { settings.username = cabinetID }
        if scheme == "mqtts" {
            settings.caFile = configuration.caFile ?? "/etc/ssl/certs/ca-certificates.crt"
            settings.certificateFile = configuration.clientCertificateFile
            settings.keyFile = configuration.clientKeyFile
        }
        settings.will = (topics.status, Data("offline".utf8))
        settings.willUserProperties = [("lockerd-instance", instance)]
        settings.reconnectBaseSeconds = reconnectBaseSeconds
        settings.reconnectCapSeconds = reconnectCapSeconds
        client = try MQTTClient(settings)
        (incoming, continuation) = AsyncStream<UplinkIncoming>.makeStream()
        client.onConnected = { [topics, logger, instance] client in
            do {
                try client.subscribe(topics.acks)
                try client.subscribe(topics.commands)
                // Before "online": the retained status comes first, so a restart's is told from a clone's.
                try client.subscribe(topics.status)
            } catch {
                logger.error("uplink: the broker refused a subscription", metadata: ["error": "\(error)"])
            }
            Task { try? await client.publish(topics.status, payload: Data("online".utf8), retain: true, userProperties: [("lockerd-instance", instance)]) }
        }
        client.onDisconnected = { [weak self] reason in
            if reason == .sessionTakenOver { self?.sessionTakenOver(seen: "the broker said another client took the session") }
        }
        client.onMessage = { [weak self] message in self?.received(message) }
        client.start()
    }

    /// Whether the broker connection is up now.
    public var isConnected: Bool { client.isConnected }
    /// This run's own status came back from the broker (clone detection is armed from then on).
    public var ownStatusConfirmed: Bool { ownStatusSeen.withLock { $0 } }
    /// Another client took this cabinet's session (the last disconnection said so).
    public var sessionTakenOver: Bool { client.lastDisconnect == .sessionTakenOver }

    public func send(_ message: UplinkMessage, to url: URL, timeoutSeconds: Double) async throws {
        var id = message.id.bigEndian
        let correlation = Data(bytes: &id, count: 8)
        let properties = message.headers.map { ($0.0.lowercased(), $0.1) }
        // The broker's PUBACK within the timeout: a half-open connection would otherwise hold the
        // upload until the keep-alive notices it.
        try await client.publish(topics.events, payload: message.body, correlationData: correlation, userProperties: properties,
                                 timeoutSeconds: timeoutSeconds)
    }

    public func shutdown() async {
        client.stop()
        continuation.finish()
    }

    /// Another client with this cabinet's id: a cloned SD card. Waiting long between attempts
    /// (MQTTClient) keeps the two from taking turns quickly; the daemon records the alarm.
    private func sessionTakenOver(seen how: String) {
        onSessionTakenOver?()
        logger.critical("uplink: another client uses this cabinet's id on the broker (a cloned card?); this one waits long before reconnecting",
                        metadata: ["cabinet": "\(cabinetID)", "seen": "\(how)"])
    }

    /// A status on this cabinet's own topic: its own (remembered), or, after its own, another
    /// instance's (a clone). A status without an instance (not lockerd's) is ignored.
    private func receivedStatus(_ message: MQTTClient.Message) {
        guard let other = message.property("lockerd-instance") else { return }
        if other == instance {
            ownStatusSeen.withLock { $0 = true }
            return
        }
        guard ownStatusSeen.withLock({ $0 }) else { return }
        client.suspectAnotherClientWithThisID()
        sessionTakenOver(seen: "status \(String(decoding: message.payload, as: UTF8.self)) from instance \(other), this one is \(instance)")
    }

    /// An acknowledgement (with the correlation data of its batch) or commands: checked against
    /// the server's key, then handed to the uplink.
    private func received(_ message: MQTTClient.Message) {
        if message.topic == topics.status { return receivedStatus(message) }
        guard message.topic == topics.acks || message.topic == topics.commands else { return }
        guard let signature = message.property("lockerd-signature").flatMap({ Data(base64Encoded: $0) }),
              serverKey.isValidSignature(signature, for: message.payload) else {
            logger.error("uplink: a message on the broker without the server's signature was dropped",
                         metadata: ["topic": "\(message.topic)", "bytes": "\(message.payload.count)"])
            return
        }
        let response = UplinkHTTPResponse(status: message.property("status").flatMap(Int.init) ?? 200,
                                          retryAfter: message.property("retry-after"), body: message.payload)
        if message.topic == topics.acks, let correlation = message.correlationData, correlation.count == 8 {
            let id = correlation.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            continuation.yield(.reply(to: id, response))
        } else {
            continuation.yield(.pushed(response))
        }
    }
}
