import Crypto
import Foundation
import LockerCore
import LockerMQTT
import LockerStore
import LockerTestSupport
import LockerUplink
import Logging
import Synchronization
import Testing

/// The command ids an uplink handed on, in order.
final class CommandLog: Sendable {
    let ids = Mutex<[String]>([])
}

/// The uplink over a real mosquitto broker (mutual TLS, per-cabinet ACLs, persistence), with the
/// reference ingest worker on the other side: events arrive exactly once and in order through
/// broker restarts, a broker killed with SIGKILL and a restarted uplink; commands arrive signed,
/// forged ones are dropped; a certificate from another CA is refused.
@Suite(.serialized)
struct UplinkMQTTTests {
    /// One cabinet, its store and uplink, the broker and an ingest worker.
    final class Rig: @unchecked Sendable {
        let broker: MosquittoBroker
        let directory: URL
        let store: CabinetStore
        let key = CabinetSigningKey(privateKey: Curve25519.Signing.PrivateKey(), cabinetID: "cabinet-7")
        let serverKey = Curve25519.Signing.PrivateKey()
        let server: ContractServer
        let worker: MQTTIngestWorker
        var transport: MQTTUplinkTransport
        var service: UplinkService
        let commands = CommandLog()
        let configuration: UplinkConfiguration

        init() throws {
            broker = try MosquittoBroker(tls: true, cabinets: ["cabinet-7", "cabinet-8"])
            try broker.start()
            directory = broker.directory.appendingPathComponent("cabinet")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
            try store.beginEpoch(at: Date())
            server = ContractServer(publicKey: key.privateKey.publicKey, contractVersion: 3)
            worker = try MQTTIngestWorker(name: "ingest-1", broker: MosquittoBrokerAddress(port: broker.port, certificates: broker.directory),
                                          servers: ["cabinet-7": server], serverKey: serverKey)
            var configuration = UplinkConfiguration(
                url: "mqtts://127.0.0.1:\(broker.port)", caFile: broker.path("ca.pem").path,
                clientCertificateFile: broker.path("cabinet-7.pem").path, clientKeyFile: broker.path("cabinet-7.key").path,
                batchEvents: 500, backoffBaseSeconds: 0.05, backoffCapSeconds: 0.5, timeoutSeconds: 2)
            configuration.mqtt = UplinkMQTTConfiguration(serverPublicKey: serverKey.publicKey.rawRepresentation.base64EncodedString())
            self.configuration = configuration
            (transport, service) = try Self.uplink(configuration, store: store, key: key, commands: commands)
        }

        static func uplink(_ configuration: UplinkConfiguration, store: CabinetStore, key: CabinetSigningKey,
                           commands: CommandLog) throws -> (MQTTUplinkTransport, UplinkService) {
            var logger = Logger(label: "uplink-mqtt-test")
            logger.logLevel = .critical
            let transport = try MQTTUplinkTransport(configuration: configuration, cabinetID: key.cabinetID, logger: logger,
                                                    reconnectBaseSeconds: 0.05, reconnectCapSeconds: 0.5)
            let service = try UplinkService(
                configuration: configuration, cabinetID: key.cabinetID, store: store, messages: transport, key: key,
                doorLabel: { "D\($0)" }, logger: logger,
                commandSink: { list in commands.ids.withLock { $0 += list.map(\.id) } })
            return (transport, service)
        }

        /// lockerd stopped and started again: a new client and uplink on the same store.
        func restartUplink() async throws {
            await service.shutdown()
            (transport, service) = try Self.uplink(configuration, store: store, key: key, commands: commands)
        }

        func record(_ count: Int, from start: Int) throws {
            try store.transaction(at: EventStamp(wallClock: Date(timeIntervalSince1970: 1_800_000_000), monotonicNanoseconds: UInt64(start + 1))) { tx in
                for index in start..<(start + count) {
                    try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 30, payload: ["n": .int(Int64(index))]))
                }
            }
        }

        /// Attempts until the outbox is empty or `seconds` passed (real time: a broker restarts
        /// and a client reconnects in real time).
        @discardableResult
        func drain(within seconds: Double = 60) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while try store.uplinkBacklog().count > 0, Date() < deadline {
                if case .failed = await service.attempt(now: Date()) { try await Task.sleep(for: .milliseconds(20)) }
            }
            return try store.uplinkBacklog().count == 0
        }

        /// The server holds every event of the store once, in order.
        func serverHoldsExactlyTheStore() throws -> String? {
            let local = try store.events(after: 0, limit: 1_000_000)
            let remote = server.stored.sorted { $0.sequence < $1.sequence }
            guard remote.count == local.count else { return "server holds \(remote.count) events, the cabinet \(local.count)" }
            for (mine, theirs) in zip(local, remote) where mine.sequence != theirs.sequence || mine.hash != theirs.hash {
                return "event \(mine.sequence) differs on the server"
            }
            return nil
        }

        func tearDown() async {
            await service.shutdown()
            worker.stop()
            await server.shutdown()
            broker.remove()
        }
    }

    @Test func tenThousandEventsArriveOnceThroughBrokerRestartsAKilledBrokerAndARestartedUplink() async throws {
        let rig = try Rig()
        do {
            try rig.record(2_500, from: 0)
            #expect(try await rig.drain())
            // The broker stops and starts (its state saved); events recorded meanwhile wait.
            rig.broker.stop()
            try rig.record(2_500, from: 2_500)
            #expect(await rig.service.attempt(now: Date()) != .delivered(acknowledged: 0, events: 0))
            try rig.broker.start()
            #expect(try await rig.drain())
            // Killed mid-upload: what it queued since its last save is gone; the outbox resends.
            try rig.record(2_500, from: 5_000)
            let upload = Task { try await rig.drain() }
            try await Task.sleep(for: .milliseconds(30))
            rig.broker.kill()
            try rig.broker.start()
            _ = try await upload.value
            #expect(try await rig.drain())
            // lockerd restarts: a new client with the same id takes the persistent session.
            try rig.record(2_500, from: 7_500)
            try await rig.restartUplink()
            #expect(try await rig.drain())
            #expect(try rig.store.lastEventSequence() == 10_000)
            #expect(try rig.serverHoldsExactlyTheStore() == nil)
            #expect(rig.server.acked(epoch: rig.store.epoch) == 10_000)
        } catch {
            Issue.record("\(error)")
        }
        await rig.tearDown()
    }

    @Test func commandsArriveSignedAndForgedOnesAreDropped() async throws {
        let rig = try Rig()
        do {
            try rig.record(10, from: 0)
            #expect(try await rig.drain())
            let epoch = rig.store.epoch
            try await rig.worker.push(commands: #"[{"id":"c-1","type":"noop"}]"#, epoch: epoch, to: "cabinet-7", signedWith: rig.serverKey)
            try await rig.worker.push(commands: #"[{"id":"forged","type":"noop"}]"#, epoch: epoch, to: "cabinet-7",
                                      signedWith: Curve25519.Signing.PrivateKey())
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, !rig.commands.ids.withLock({ $0.contains("c-1") }) { try await Task.sleep(for: .milliseconds(10)) }
            // The forged one was published before the genuine one's arrival was seen: it is not coming.
            try await rig.worker.push(commands: #"[{"id":"c-2","type":"noop"}]"#, epoch: epoch, to: "cabinet-7", signedWith: rig.serverKey)
            while Date() < deadline, !rig.commands.ids.withLock({ $0.contains("c-2") }) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(rig.commands.ids.withLock { $0 } == ["c-1", "c-2"])
        } catch {
            Issue.record("\(error)")
        }
        await rig.tearDown()
    }

    @Test func aCertificateFromAnotherCAIsRefusedByTheBroker() async throws {
        let rig = try Rig()
        var configuration = rig.configuration
        configuration.clientCertificateFile = rig.broker.path("stranger.pem").path
        configuration.clientKeyFile = rig.broker.path("stranger.key").path
        let stranger = try MQTTUplinkTransport(configuration: configuration, cabinetID: "cabinet-7", logger: Logger(label: "stranger"),
                                               reconnectBaseSeconds: 0.05, reconnectCapSeconds: 0.2)
        try await Task.sleep(for: .seconds(1))
        #expect(!stranger.isConnected)
        await #expect(throws: (any Error).self) {
            try await stranger.send(UplinkMessage(id: 1, body: Data("{}".utf8), headers: []), to: URL(string: "mqtts://x")!, timeoutSeconds: 1)
        }
        #expect(rig.server.requests == 0)
        await stranger.shutdown()
        await rig.tearDown()
    }

    /// A cloned card (a second client with the cabinet's id) is seen on the status topic, which is
    /// how mosquitto 2.0 shows it (it closes the taken session without the 0x8E reason); the
    /// status the cabinet's previous run left (a restart) raises nothing.
    @Test func aCloneIsSeenOnTheStatusTopicAndARestartIsNot() async throws {
        let rig = try Rig()
        func until(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition(), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return condition()
        }
        final class Alarms: Sendable {
            let count = Mutex(0)
        }
        func run(_ alarms: Alarms) throws -> MQTTUplinkTransport {
            try MQTTUplinkTransport(configuration: rig.configuration, cabinetID: "cabinet-7", logger: Logger(label: "run"),
                                    reconnectBaseSeconds: 0.05, reconnectCapSeconds: 0.5,
                                    onSessionTakenOver: { alarms.count.withLock { $0 += 1 } })
        }
        // The first run leaves its "online" retained at the broker and stops.
        #expect(try await until(10) { rig.transport.ownStatusConfirmed })
        await rig.service.shutdown()

        // The restart sees that status first, then its own: no alarm.
        let restartAlarms = Alarms()
        let restarted = try run(restartAlarms)
        #expect(try await until(10) { restarted.ownStatusConfirmed })
        #expect(restartAlarms.count.withLock { $0 } == 0, "a restart is not a clone")

        // A clone connects with the same id: it takes the session; whichever reconnects next
        // sees the other's status after its own.
        let cloneAlarms = Alarms()
        let clone = try run(cloneAlarms)
        #expect(try await until(20) { restartAlarms.count.withLock { $0 } + cloneAlarms.count.withLock { $0 } > 0 },
                "a second client with the cabinet's id is noticed")
        await clone.shutdown()
        await restarted.shutdown()
        await rig.tearDown()
    }

    /// The broker's per-cabinet ACLs (the certificate's CN as the username): another cabinet,
    /// with a good certificate of its own, can neither read cabinet-7's answers and commands nor
    /// publish a batch or a status in cabinet-7's name.
    @Test func anotherCabinetCanNeitherReadNorWriteThisCabinetsTopics() async throws {
        let rig = try Rig()
        var settings = MQTTClient.Settings(clientID: "cabinet-8", host: "127.0.0.1", port: rig.broker.port)
        settings.caFile = rig.broker.path("ca.pem").path
        settings.certificateFile = rig.broker.path("cabinet-8.pem").path
        settings.keyFile = rig.broker.path("cabinet-8.key").path
        settings.reconnectBaseSeconds = 0.05
        let neighbour = try MQTTClient(settings)
        final class Overheard: Sendable { let topics = Mutex<[String]>([]) }
        let overheard = Overheard()
        neighbour.onConnected = { client in
            for topic in ["acks", "commands", "status", "events"] { try? client.subscribe("lockers/cabinet-7/\(topic)") }
        }
        neighbour.onMessage = { message in overheard.topics.withLock { $0.append(message.topic) } }
        neighbour.start()
        do {
            let deadline = Date().addingTimeInterval(10)
            while !neighbour.isConnected, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(neighbour.isConnected, "cabinet-8's own certificate is good")
            // Its subscriptions are made before cabinet-7's traffic; a command and answers follow.
            try await Task.sleep(for: .milliseconds(200))
            try rig.record(50, from: 0)
            #expect(try await rig.drain())
            try await rig.worker.push(commands: #"[{"id":"c-1","type":"noop"}]"#, epoch: rig.store.epoch, to: "cabinet-7", signedWith: rig.serverKey)
            while Date() < deadline, !rig.commands.ids.withLock({ $0.contains("c-1") }) { try await Task.sleep(for: .milliseconds(10)) }
            let requestsBefore = rig.server.requests
            // Writing in cabinet-7's name: the broker answers "not authorized" (or drops it).
            let batch = Data(#"{"epoch":"x","epochFirstSequence":1,"events":[]}"#.utf8)
            await #expect(throws: (any Error).self) {
                try await neighbour.publish("lockers/cabinet-7/events", payload: batch, userProperties: [("lockerd-signature", "x")])
            }
            await #expect(throws: (any Error).self) {
                try await neighbour.publish("lockers/cabinet-7/status", payload: Data("offline".utf8), retain: true)
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(rig.server.requests == requestsBefore, "no batch in cabinet-7's name reached the ingest side")
            #expect(overheard.topics.withLock { $0 }.isEmpty, "cabinet-8 overheard \(overheard.topics.withLock { $0 })")
        } catch {
            Issue.record("\(error)")
        }
        neighbour.stop()
        await rig.tearDown()
    }
}
