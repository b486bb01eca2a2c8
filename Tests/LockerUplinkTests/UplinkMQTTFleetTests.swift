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

/// A fleet on one broker: `LOCKERD_FLEET_CABINETS` cabinets (default 500), each its own MQTT
/// client, store and uplink in this process, two ingest workers on a shared subscription. The
/// broker restarts: the reconnections spread over the jitter window (the peak of connection
/// attempts a second and the time until all are back are printed), and every cabinet's backlog
/// reaches the ingest side exactly once.
///
/// What it needs (printed): a thread per client (its network loop, 256 KiB of stack; 763 threads
/// in all for 500) and about nine descriptors per cabinet (the socket, libmosquitto's wake pair,
/// the client's eventfd, the database, its WAL and shared memory, a reader's), 4,542 for 500
/// cabinets; the broker one per client.
/// The client waits with poll(), not libmosquitto's select()-based `mosquitto_loop` (which cannot
/// watch a descriptor at or above 1,024: only 173 of 500 got in with it), and the test raises the
/// soft descriptor limit to the hard one, as lockerd's unit does not need to (one client).
@Suite(.serialized)
struct UplinkMQTTFleetTests {
    /// The fleet's ingest store, lighter than the contract server (which has an event loop
    /// group of its own per cabinet): per epoch, events stored only in sequence, the contiguous
    /// acknowledgement answered, and anything already held counted as a duplicate.
    final class FleetIngestStore: IngestStore {
        private let state = Mutex<(acked: [String: Int64], stored: Int, duplicates: Int)>(([:], 0, 0))
        var stored: Int { state.withLock { $0.stored } }

        func handle(body wire: Data, signature: String?, encoding: String?) -> (status: Int, body: Data, retryAfter: String?) {
            guard signature != nil, let batch = try? UplinkEventBatch.decoder().decode(UplinkEventBatch.self, from: wire) else {
                return (400, Data(), nil)
            }
            let acked = state.withLock { state -> Int64 in
                var acked = state.acked[batch.epoch] ?? (batch.epochFirstSequence - 1)
                for event in batch.events {
                    if event.sequence <= acked { state.duplicates += 1 } else if event.sequence == acked + 1 {
                        acked += 1
                        state.stored += 1
                    } else { break }
                }
                state.acked[batch.epoch] = acked
                return acked
            }
            return (200, Data(#"{"epoch":"\#(batch.epoch)","ackedSequence":\#(acked),"contractVersion":2}"#.utf8), nil)
        }
    }

    struct Cabinet {
        let id: String
        let store: CabinetStore
        let transport: MQTTUplinkTransport
        let service: UplinkService
        let ingest: FleetIngestStore
    }

    /// Run by `make test` in a process of its own (`LOCKERD_FLEET_TEST=1`): it raises the
    /// process's descriptor limit and holds thousands of descriptors and 500 threads, which the
    /// rest of the suite should not run beside.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LOCKERD_FLEET_TEST"] != nil))
    func aFleetReconnectsSpreadOutAfterABrokerRestartAndDrainsOnce() async throws {
        let count = Int(ProcessInfo.processInfo.environment["LOCKERD_FLEET_CABINETS"] ?? "") ?? 500
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let needed = rlim_t(count * 20 + 1_024)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(limit.rlim_max, needed)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        try #require(limit.rlim_cur >= rlim_t(count * 9 + 256),
                     "\(count) cabinets need some \(count * 9) descriptors beside the broker's; the hard limit is \(limit.rlim_max)")
        let broker = try MosquittoBroker(tls: false, cabinets: [], autosaveSeconds: 60)
        try broker.start()
        defer { broker.remove() }
        let serverKey = Curve25519.Signing.PrivateKey()
        var logger = Logger(label: "fleet")
        logger.logLevel = .critical
        let ingests = (0..<count).map { _ in FleetIngestStore() }
        let ids = (0..<count).map { "cab-\($0)" }
        let address = MosquittoBrokerAddress(port: broker.port, certificates: nil)
        let stores = Dictionary(uniqueKeysWithValues: zip(ids, ingests.map { $0 as any IngestStore }))
        let workers = try (1...2).map { try MQTTIngestWorker(name: "ingest-\($0)", broker: address, servers: stores, serverKey: serverKey) }
        var configuration = UplinkConfiguration(url: "mqtt://127.0.0.1:\(broker.port)", batchEvents: 100, backoffBaseSeconds: 0.2,
                                                backoffCapSeconds: 2, timeoutSeconds: 5)
        configuration.mqtt = UplinkMQTTConfiguration(serverPublicKey: serverKey.publicKey.rawRepresentation.base64EncodedString())
        var cabinets: [Cabinet] = []
        for (index, id) in ids.enumerated() {
            let directory = broker.directory.appendingPathComponent(id)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
            try store.beginEpoch(at: Date())
            let key = CabinetSigningKey(privateKey: Curve25519.Signing.PrivateKey(), cabinetID: id)
            // A jitter window of 10 s after a loss (the first attempt waits up to 1 s).
            let transport = try MQTTUplinkTransport(configuration: configuration, cabinetID: id, logger: logger,
                                                    reconnectBaseSeconds: 0.5, reconnectCapSeconds: 10)
            let service = try UplinkService(configuration: configuration, cabinetID: id, store: store, messages: transport, key: key,
                                            doorLabel: { "D\($0)" }, logger: logger)
            cabinets.append(Cabinet(id: id, store: store, transport: transport, service: service, ingest: ingests[index]))
        }
        func record(_ events: Int) throws {
            for cabinet in cabinets {
                try cabinet.store.transaction(at: EventStamp(wallClock: Date(timeIntervalSince1970: 1_800_000_000), monotonicNanoseconds: 1)) { tx in
                    for n in 0..<events { try tx.append(CustodyEvent(.doorReconciled, compartmentID: n % 16, payload: ["n": .int(Int64(n))])) }
                }
            }
        }
        func allConnected(within seconds: Double) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if cabinets.allSatisfy({ $0.transport.isConnected }) { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        func drainAll(within seconds: Double) async -> Int {
            await withTaskGroup(of: Bool.self) { group in
                for cabinet in cabinets {
                    group.addTask {
                        let deadline = Date().addingTimeInterval(seconds)
                        while ((try? cabinet.store.uplinkBacklog().count) ?? 1) > 0, Date() < deadline {
                            if case .failed = await cabinet.service.attempt(now: Date()) { try? await Task.sleep(for: .milliseconds(100)) }
                        }
                        return ((try? cabinet.store.uplinkBacklog().count) ?? 1) == 0
                    }
                }
                var drained = 0
                for await done in group where done { drained += 1 }
                return drained
            }
        }

        try record(20)
        #expect(try await allConnected(within: 120), "the fleet connects")
        #expect(await drainAll(within: 120) == count)
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
        print("fleet: \(count) cabinets connected and drained; this process holds \(descriptors) descriptors and \(threads) threads")

        // The broker restarts; the fleet records meanwhile and comes back spread out.
        broker.stop()
        try record(20)
        // Down a few seconds, as a broker restart is: each cabinet's attempts meanwhile widen its window.
        try await Task.sleep(for: .seconds(3))
        let logBefore = (try? String(contentsOf: broker.path("mosquitto.log"), encoding: .utf8)) ?? ""
        let restarted = Date()
        try broker.start()
        let back = try await allConnected(within: 120)
        let secondsToAllBack = Date().timeIntervalSince(restarted)
        #expect(back, "every cabinet reconnects")
        #expect(await drainAll(within: 120) == count)
        let log = ((try? String(contentsOf: broker.path("mosquitto.log"), encoding: .utf8)) ?? "").dropFirst(logBefore.count)
        var perSecond: [Substring: Int] = [:]
        for line in log.split(separator: "\n") where line.contains("New connection from") {
            perSecond[line.prefix { $0 != ":" }, default: 0] += 1
        }
        let peak = perSecond.values.max() ?? 0
        print("fleet: \(count) cabinets; after a broker restart all were back in \(String(format: "%.1f", secondsToAllBack)) s, "
              + "peak \(peak) connection attempts a second over \(perSecond.count) seconds")
        for (cabinet, ingest) in zip(cabinets, ingests) {
            #expect(ingest.stored == 40, "\(cabinet.id) stored \(ingest.stored) of 40 events")
        }
        #expect(peak < count, "reconnections spread over more than one second")
        for cabinet in cabinets { await cabinet.service.shutdown() }
        for worker in workers { worker.stop() }
    }
}
