import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerTestSupport
import LockerUplink
import Testing

/// A real lockerd uploading a backlog of 10,000 events over MQTT, killed with SIGKILL at random
/// points while it records and uploads, with the broker killed (SIGKILL: it loses what it queued since its last save) or
/// restarted in some of the same rounds: after it all, the ingest side holds every event the
/// cabinet recorded, once, in order. The seed and each round's faults are printed.
@Suite(.serialized)
struct UplinkMQTTPowerLossTests {
    @Test func killedDuringMQTTUploadsItLosesAndDuplicatesNothing() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["LOCKERD_CRASH_SEED"] ?? "") ?? 20_261_203
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-mqtt-kill-\(UUID().uuidString.prefix(8))")
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The cabinet's key is made here so the ingest side can enrol it before the first start.
        let key = try CabinetSigningKey.loadOrCreate(at: state.appendingPathComponent("uplink.ed25519"), cabinetID: KilledCabinetConfiguration.cabinetID)
        let serverKey = Curve25519.Signing.PrivateKey()
        let broker = try MosquittoBroker(tls: false, cabinets: [KilledCabinetConfiguration.cabinetID], autosaveSeconds: 1)
        try broker.start()
        defer { broker.remove() }
        let server = ContractServer(publicKey: key.privateKey.publicKey, contractVersion: 3)
        let worker = try MQTTIngestWorker(name: "ingest-1", broker: MosquittoBrokerAddress(port: broker.port, certificates: nil),
                                          servers: [KilledCabinetConfiguration.cabinetID: server], serverKey: serverKey)
        defer { worker.stop() }
        let arguments = try KilledCabinetConfiguration.write(in: directory, uplink: """
            {"url": "mqtt://127.0.0.1:\(broker.port)", "batchEvents": 50, "timeoutSeconds": 2,
             "backoffBaseSeconds": 0.05, "backoffCapSeconds": 0.2, "pollSeconds": 1,
             "mqtt": {"serverPublicKey": "\(serverKey.publicKey.rawRepresentation.base64EncodedString())"}}
            """)
        // The backlog: recorded while no uplink was configured, none of it acknowledged.
        do {
            let backlog = try CabinetStore(path: state.appendingPathComponent("lockerd.sqlite").path)
            try backlog.beginEpoch(at: Date())
            for batch in 0..<5 {
                try backlog.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: UInt64(batch + 1) * 1_000_000)) { tx in
                    for index in 0..<2_000 {
                        try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 4, payload: ["n": .int(Int64(batch * 2_000 + index))]))
                    }
                }
            }
        }

        var random = SplitMix64(seed: seed)
        var rounds: [String] = []
        let doors = KilledCabinetConfiguration.doors
        for round in 0..<12 {
            let daemon = try LockerdProcess(stateDirectory: state, arguments: arguments)
            // Each step records events (a forced door, closed again) that the uplink sends while
            // the next steps run; the broker may die or restart after one of them.
            let steps = Int(random.next() % 12) + 1
            let brokerFault = random.next() % 4  // 0: killed, 1: restarted, else none
            let faultStep = Int(random.next() % UInt64(steps))
            var done = 0
            for step in 0..<steps {
                let door = doors[Int(random.next() % 4)]
                guard daemon.run("force \(door)", mark: round * 100 + step * 2) != nil,
                      daemon.run("close \(door)", mark: round * 100 + step * 2 + 1) != nil
                else {
                    Issue.record("seed \(seed) round \(round): lockerd ended by itself at step \(step): \(daemon.transcript.suffix(5))")
                    break
                }
                done += 1
                if step == faultStep && brokerFault == 0 { broker.kill() }
                if step == faultStep && brokerFault == 1 { broker.stop() }
                if step == faultStep && brokerFault <= 1 { try broker.start() }
            }
            // Killed a random moment later, most likely with a batch in flight.
            let upload = Int(random.next() % 400)
            usleep(useconds_t(upload * 1_000))
            daemon.kill()
            rounds.append("round \(round): \(done) of \(steps) steps, broker \(["killed", "restarted", "kept"][Int(min(brokerFault, 2))]) "
                          + "after step \(faultStep), lockerd killed \(upload) ms later with \(server.stored.count) events at the server")
        }

        // A last, clean run lets the uplink catch up; then the ingest side must hold the store exactly.
        let daemon = try LockerdProcess(stateDirectory: state, arguments: arguments)
        let store = try CabinetStore(path: state.appendingPathComponent("lockerd.sqlite").path)
        try await waitForUplinkCatchUp(daemon, store: store, server: server, within: 90)
        daemon.quit()
        let local = try store.events(after: 0, limit: 1_000_000)
        let remote = server.stored
        let context = "seed \(seed) (LOCKERD_CRASH_SEED):\n" + rounds.joined(separator: "\n")
        #expect(remote.count == local.count, "server \(remote.count), cabinet \(local.count); \(context)")
        #expect(zip(local, remote).allSatisfy { $0.sequence == $1.sequence && $0.epoch == $1.epoch && $0.hash == $1.hash }, "\(context)")
        #expect(local.count > 10_000)
        #expect(Set(remote.map(\.epoch)).count >= 13, "every start is an epoch")
        #expect(server.conflicts == 0 && server.badSignatures == 0, "\(context)")
        print(context)
        print("uplink over MQTT with SIGKILL: \(local.count) events arrived once in order; \(server.duplicatesReceived) resent events were recognised as held")
        await server.shutdown()
    }
}
