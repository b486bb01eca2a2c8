import Crypto
import Foundation
import LockerMQTT
import Synchronization

/// The reference ingest side of the MQTT binding, written from the contract: it takes batches
/// from the shared subscription `$share/ingest/<prefix>/+/events` (so several workers split a
/// fleet's batches), stores them idempotently through the contract server of the batch's cabinet
/// (the same code the HTTPS tests use: per-epoch contiguous acknowledgement, held batches beyond
/// a gap, hashes and signatures checked), and publishes the Acknowledgement to
/// `<prefix>/<cabinet>/acks` with the batch's correlation data, its status, and the server's
/// Ed25519 signature over the body.
final class MQTTIngestWorker: Sendable {
    let client: MQTTClient
    let servers: [String: any IngestStore]
    let serverKey: Curve25519.Signing.PrivateKey
    let prefix: String
    let batches = Mutex(0)

    init(name: String, broker: MosquittoBrokerAddress, servers: [String: any IngestStore], serverKey: Curve25519.Signing.PrivateKey,
         prefix: String = "lockers") throws {
        var settings = MQTTClient.Settings(clientID: name, host: "127.0.0.1", port: broker.port)
        settings.sessionExpirySeconds = 3_600
        settings.reconnectBaseSeconds = 0.05
        settings.reconnectCapSeconds = 0.5
        if let directory = broker.certificates {
            settings.caFile = directory.appendingPathComponent("ca.pem").path
            settings.certificateFile = directory.appendingPathComponent("ingest.pem").path
            settings.keyFile = directory.appendingPathComponent("ingest.key").path
        } else {
            settings.username = "ingest"
        }
        client = try MQTTClient(settings)
        self.servers = servers
        self.serverKey = serverKey
        self.prefix = prefix
        client.onConnected = { client in try? client.subscribe("$share/ingest/\(prefix)/+/events") }
        client.onMessage = { [weak self] message in self?.ingest(message) }
        client.start()
    }

    func stop() { client.stop() }

    private func ingest(_ message: MQTTClient.Message) {
        let parts = message.topic.split(separator: "/")
        guard parts.count == 3, parts[2] == "events", let server = servers[String(parts[1])] else { return }
        batches.withLock { $0 += 1 }
        let answer = server.handle(body: message.payload, signature: message.property("lockerd-signature"),
                                   encoding: message.property("content-encoding"))
        let signature = (try? serverKey.signature(for: answer.body))?.base64EncodedString() ?? ""
        var properties = [("status", String(answer.status)), ("lockerd-signature", signature)]
        if let retryAfter = answer.retryAfter { properties.append(("retry-after", retryAfter)) }
        let topic = "\(prefix)/\(parts[1])/acks"
        let client = self.client
        Task { try? await client.publish(topic, payload: answer.body, correlationData: message.correlationData, userProperties: properties) }
    }

    /// Publishes commands to a cabinet on its own account (an Acknowledgement body), signed with
    /// `key` (the server's, or a forger's).
    func push(commands json: String, epoch: String, to cabinet: String, signedWith key: Curve25519.Signing.PrivateKey) async throws {
        let body = Data(#"{"epoch":"\#(epoch)","ackedSequence":0,"commands":\#(json)}"#.utf8)
        let signature = try key.signature(for: body).base64EncodedString()
        try await client.publish("\(prefix)/\(cabinet)/commands", payload: body, userProperties: [("lockerd-signature", signature)])
    }
}

/// Where a test broker listens, and its certificates when it speaks TLS.
struct MosquittoBrokerAddress: Sendable {
    var port: Int
    var certificates: URL?
}

/// What stores a cabinet's batches and answers for them (the contract server, or the fleet
/// test's lighter store).
protocol IngestStore: Sendable {
    func handle(body wire: Data, signature: String?, encoding: String?) -> (status: Int, body: Data, retryAfter: String?)
}

extension ContractServer: IngestStore {}
