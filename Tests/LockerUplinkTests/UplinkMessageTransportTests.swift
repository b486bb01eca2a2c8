import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerUplink
import Logging
import Synchronization
import Testing

/// The uplink over a message transport, the shape a broker (MQTT v5) has: a batch is published,
/// its reply comes later on another path (here from another task, after the server pushed a
/// command on its own), some replies are lost. Every event still reaches the server exactly once
/// and in order, pushed commands are carried out, and a lost reply is a failure to retry.
@Suite struct UplinkMessageTransportTests {
    /// The server behind a broker: answers each batch from another task, pushes an
    /// acknowledgement with a command before every third reply, and loses the replies it is told to.
    final class ScriptedBroker: UplinkMessageTransport {
        let server: ContractServer
        let incoming: AsyncStream<UplinkIncoming>
        private let continuation: AsyncStream<UplinkIncoming>.Continuation
        let sent = Mutex(0)
        let loseReplyTo: Set<Int>

        init(server: ContractServer, loseReplyTo: Set<Int>) {
            self.server = server
            self.loseReplyTo = loseReplyTo
            (incoming, continuation) = AsyncStream<UplinkIncoming>.makeStream()
        }

        func send(_ message: UplinkMessage, to url: URL, timeoutSeconds: Double) async throws {
            let count = sent.withLock { count -> Int in
                count += 1
                return count
            }
            let header = { (name: String) in message.headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1 }
            let answer = server.handle(body: message.body, signature: header("Lockerd-Signature"), encoding: header("Content-Encoding"))
            let reply = UplinkHTTPResponse(status: answer.status, retryAfter: answer.retryAfter, body: answer.body)
            let epoch = (try? UplinkEventBatch.decoder().decode(UplinkAcknowledgement.self, from: answer.body))?.epoch ?? ""
            Task { [continuation, loseReplyTo] in
                if count % 3 == 0 {
                    let pushed = #"{"epoch":"\#(epoch)","ackedSequence":0,"commands":[{"id":"pushed-\#(count)","type":"noop"}]}"#
                    continuation.yield(.pushed(UplinkHTTPResponse(status: 200, retryAfter: nil, body: Data(pushed.utf8))))
                }
                if !loseReplyTo.contains(count) { continuation.yield(.reply(to: message.id, reply)) }
            }
        }

        func shutdown() async {
            continuation.finish()
            await server.shutdown()
        }
    }

    @Test func everyEventArrivesOnceInOrderThroughABrokerShapedTransport() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-messages-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        try store.beginEpoch(at: Date())
        try store.transaction(at: EventStamp(wallClock: Date(timeIntervalSince1970: 1_800_000_000), monotonicNanoseconds: 1)) { tx in
            for index in 0..<1_000 {
                try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 30, payload: ["n": .int(Int64(index))]))
            }
        }
        let key = CabinetSigningKey(privateKey: Curve25519.Signing.PrivateKey(), cabinetID: "cabinet-7")
        let broker = ScriptedBroker(server: ContractServer(publicKey: key.privateKey.publicKey), loseReplyTo: [2, 5])
        let commands = Mutex<[String]>([])
        var logger = Logger(label: "uplink-test")
        logger.logLevel = .critical
        let configuration = UplinkConfiguration(url: "http://127.0.0.1:9", batchEvents: 100, backoffBaseSeconds: 1, timeoutSeconds: 0.5)
        let service = try UplinkService(
            configuration: configuration, cabinetID: key.cabinetID, store: store, messages: broker, key: key,
            doorLabel: { "D\($0)" }, logger: logger, commandSink: { list in commands.withLock { $0 += list.map(\.id) } })

        var outcomes: [UplinkService.Outcome] = []
        while try store.uplinkBacklog().count > 0, outcomes.count < 50 {
            outcomes.append(await service.attempt(now: Date()))
        }
        let failures = outcomes.compactMap { outcome -> String? in
            if case .failed(_, let reason) = outcome { return reason }
            return nil
        }
        #expect(try store.uplinkBacklog().count == 0)
        #expect(broker.server.acked(epoch: store.epoch) == (try store.lastEventSequence()))
        // The two lost replies at least (a loaded machine may also answer late): each a failure
        // to retry, never a loss or a duplicate stored.
        #expect(failures.count >= 2 && failures.allSatisfy { $0.contains("no reply") }, "\(failures)")
        #expect(broker.server.duplicatesReceived > 0, "the batches whose replies were lost went again and were dropped once")
        // Pushed commands arrive on their own path; the service hands each one on.
        let deadline = ContinuousClock.now + .seconds(5)
        while !commands.withLock({ $0.contains("pushed-3") }), ContinuousClock.now < deadline { await Task.yield() }
        #expect(commands.withLock { $0 }.contains("pushed-3"))
        await service.shutdown()
    }
}
