import Crypto
import Foundation
import LockerCore
import LockerStore
import LockerTestSupport
import LockerUplink
import Logging
import Synchronization

/// A store in a temporary directory, a signing key, a contract server and an uplink between them.
final class UplinkTestBed {
    let directory: URL
    let store: CabinetStore
    let key: CabinetSigningKey
    let server: ContractServer
    let transport: HTTPSUplinkTransport
    /// Pulls the cable: while off, every request fails at once as a refused connection would.
    let network = NetworkSwitch()
    let service: UplinkService
    private var recorded = 0

    convenience init(faults: @escaping @Sendable (Int) -> ContractServer.Fault = { _ in .none }, timeoutSeconds: Double = 0.3,
         backoffCapSeconds: Double = 300, serverKey: Curve25519.Signing.PublicKey? = nil, contractVersion: Int = 1,
         serverThreads: Int = 1, serverAcceptsGzip: Bool = false, serverAnswerDelaySeconds: Double = 0) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = CabinetSigningKey(privateKey: Curve25519.Signing.PrivateKey(), cabinetID: "cabinet-7")
        let server = ContractServer(publicKey: serverKey ?? key.privateKey.publicKey, slowSeconds: timeoutSeconds * 2,
                                    contractVersion: contractVersion, threads: serverThreads, acceptsGzip: serverAcceptsGzip,
                                    answerDelaySeconds: serverAnswerDelaySeconds,
                                    fault: faults)
        try await server.start()
        try self.init(directory: directory, store: CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path),
                      server: server, key: key, timeoutSeconds: timeoutSeconds, backoffCapSeconds: backoffCapSeconds)
    }

    init(directory: URL, store: CabinetStore, server: ContractServer, key: CabinetSigningKey, timeoutSeconds: Double = 0.3,
         backoffCapSeconds: Double = 300) throws {
        self.directory = directory
        self.store = store
        self.server = server
        self.key = key
        let configuration = UplinkConfiguration(
            url: "http://127.0.0.1:\(server.port)", batchEvents: 200, backoffBaseSeconds: 1, backoffCapSeconds: backoffCapSeconds,
            timeoutSeconds: timeoutSeconds)
        transport = try HTTPSUplinkTransport(configuration: configuration)
        var logger = Logger(label: "uplink-test")
        logger.logLevel = .critical
        service = try UplinkService(configuration: configuration, cabinetID: key.cabinetID, store: store,
                                    transport: SwitchedTransport(inner: transport, network: network),
                                    key: key, doorLabel: { "D\($0)" }, logger: logger)
        recorded = Int(try store.lastEventSequence())
    }

    /// Runs `body` with a bed and always tears it down (the HTTP client must be shut down).
    static func run(faults: @escaping @Sendable (Int) -> ContractServer.Fault = { _ in .none }, timeoutSeconds: Double = 0.3,
                    backoffCapSeconds: Double = 300, serverKey: Curve25519.Signing.PublicKey? = nil, contractVersion: Int = 1,
                    serverThreads: Int = 1, serverAcceptsGzip: Bool = false, serverAnswerDelaySeconds: Double = 0,
                    _ body: (UplinkTestBed) async throws -> Void) async throws {
        let bed = try await UplinkTestBed(faults: faults, timeoutSeconds: timeoutSeconds, backoffCapSeconds: backoffCapSeconds,
                                          serverKey: serverKey, contractVersion: contractVersion, serverThreads: serverThreads,
                                          serverAcceptsGzip: serverAcceptsGzip, serverAnswerDelaySeconds: serverAnswerDelaySeconds)
        do {
            try await body(bed)
        } catch {
            await bed.tearDown()
            throw error
        }
        await bed.tearDown()
    }

    /// A second cabinet database (a restored copy) talking to the same server with the same key.
    static func attach(to store: CabinetStore, server: ContractServer, key: CabinetSigningKey) throws -> UplinkTestBed {
        try UplinkTestBed(directory: URL(fileURLWithPath: store.path).deletingLastPathComponent(), store: store, server: server, key: key)
    }

    /// Records `count` events in one transaction (their payloads count on from `startingAt`).
    func record(_ count: Int, at time: Date = Date(timeIntervalSince1970: 1_800_000_000), startingAt: Int? = nil) throws {
        let start = startingAt ?? recorded
        try store.transaction(at: EventStamp(wallClock: time, monotonicNanoseconds: UInt64(start) * 1_000)) { tx in
            for index in start..<(start + count) {
                try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 30, payload: ["n": .int(Int64(index))]))
            }
        }
        recorded = start + count
    }

    /// Attempts until the outbox is empty (or `limit` attempts); returns the outcomes.
    @discardableResult
    func drain(limit: Int = 5_000, now: Date = Date()) async throws -> [UplinkService.Outcome] {
        var outcomes: [UplinkService.Outcome] = []
        while try store.uplinkBacklog().count > 0 && outcomes.count < limit {
            outcomes.append(await service.attempt(now: now))
        }
        return outcomes
    }

    /// The server holds every event of the store once, in sequence order, with an intact chain.
    func serverHoldsExactlyTheStore() throws -> String? {
        let local = try store.events(after: 0, limit: 1_000_000)
        // In sequence order: what a server stores again after losing it lands after later events.
        let remote = server.stored.sorted { $0.sequence < $1.sequence }
        guard remote.count == local.count else { return "server holds \(remote.count) events, the cabinet \(local.count)" }
        var previous = EventHashChain.genesis
        for (mine, theirs) in zip(local, remote) {
            guard mine.sequence == theirs.sequence, mine.epoch == theirs.epoch, mine.hash == theirs.hash else {
                return "event \(mine.sequence) differs (server has \(theirs.epoch)/\(theirs.sequence))"
            }
            guard theirs.previousHash == previous else { return "event \(theirs.sequence) does not follow its predecessor on the server" }
            // As a server recomputes it: from the uploaded text fields, joined as the contract says.
            let recomputed = sha256Hex([
                previous, String(theirs.sequence), theirs.epoch, theirs.kind, theirs.occurredAtSeconds, theirs.monotonicNanoseconds,
                theirs.compartmentId.map(String.init) ?? "", theirs.parcelId.map(String.init) ?? "", theirs.payload,
            ].joined(separator: "\n"))
            guard recomputed == theirs.hash else { return "the server cannot recompute the hash of event \(theirs.sequence)" }
            previous = theirs.hash
        }
        return nil
    }

    func tearDown() async {
        await transport.shutdown()
        await server.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Whether the cabinet's network is up (outage tests: days of refused connections cost no real time).
final class NetworkSwitch: Sendable {
    let isUp = Mutex(true)
    /// Rewrites a request body on the way (a corrupting relay); returns the new body and signature header.
    let rewrite = Mutex<(@Sendable (Data) -> (body: Data, signature: String))?>(nil)
}

/// A transport behind the network switch.
struct SwitchedTransport: UplinkTransport {
    struct ConnectionRefused: Error, CustomStringConvertible {
        var description: String { "connect(2): Connection refused (the network is switched off)" }
    }

    let inner: any UplinkTransport
    let network: NetworkSwitch

    func post(_ body: Data, to url: URL, headers: [(String, String)], timeoutSeconds: Double) async throws -> UplinkHTTPResponse {
        guard network.isUp.withLock({ $0 }) else { throw ConnectionRefused() }
        if let rewrite = network.rewrite.withLock({ $0 }) {
            let (changed, signature) = rewrite(body)
            let others = headers.filter { $0.0 != "Lockerd-Signature" }
            return try await inner.post(changed, to: url, headers: others + [("Lockerd-Signature", signature)], timeoutSeconds: timeoutSeconds)
        }
        return try await inner.post(body, to: url, headers: headers, timeoutSeconds: timeoutSeconds)
    }

    func shutdown() async {
        await inner.shutdown()
    }
}

func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}
