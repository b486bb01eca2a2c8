import Crypto
import Foundation
import GRDB
import LockerCore
import LockerStore
import LockerUplink
import Logging

/// The uplink's drain, end to end: a cabinet store holding a backlog of N events, lockerd's
/// `UplinkService` over HTTP on loopback, and a central server written from the contract alone
/// (`contract_server.py`: signature checked per batch, every hash recomputed, one durable SQLite
/// commit per batch). Two configurations side by side in one run: one batch of 200 at a time to
/// a version-2 server (what lockerd did before contract version 3), and lockerd's defaults
/// against a version-3 server (batches of up to 1,000 events, four in flight).
///
/// Prints the wall time, the events per second, the CPU-seconds of the uplink (this process,
/// which runs exactly the code lockerd runs) and of the server, and checks that the server holds
/// every event once, and the process's peak resident memory so far (a million-event backlog must
/// drain in bounded memory). Usage: uplink-drain-benchmark SERVER_SCRIPT [EVENTS] [RUNS] [defaults]
/// (`defaults`: only lockerd's default setup, for very long backlogs), or
/// `uplink-drain-benchmark seed DATABASE EVENTS`: records a backlog into a stopped lockerd's
/// database (the pickup benchmark's drain phase).
@main
struct UplinkDrainBenchmark {
    struct Setup {
        var name: String
        var serverVersion: Int
        var batchEvents: Int
        var batchesInFlight: Int
        var serverTakesGzip = false
    }

    static let setups = [
        Setup(name: "one batch of 200 at a time, v2 server", serverVersion: 2, batchEvents: 200, batchesInFlight: 1),
        Setup(name: "defaults: 1,000-event batches, 4 in flight, v3 server", serverVersion: 3, batchEvents: 1_000, batchesInFlight: 4),
        Setup(name: "the same, v3 server taking gzip", serverVersion: 3, batchEvents: 1_000, batchesInFlight: 4, serverTakesGzip: true),
    ]

    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.count == 4, arguments[1] == "seed", let events = Int(arguments[3]) {
            try BacklogSeeder.record(events, in: try CabinetStore(path: arguments[2]), endingAt: Date())
            return
        }
        guard arguments.count >= 2 else {
            print("usage: uplink-drain-benchmark SERVER_SCRIPT [EVENTS] [RUNS] [defaults] | seed DATABASE EVENTS")
            return
        }
        let script = arguments[1]
        let events = arguments.count > 2 ? Int(arguments[2]) ?? 100_000 : 100_000
        let runs = arguments.count > 3 ? Int(arguments[3]) ?? 1 : 1
        let chosen = arguments.count > 4 && arguments[4] == "defaults" ? [setups[1]] : setups
        print("Uplink drain: \(events) events backlog, loopback HTTP, server from the contract with SQLite synchronous=FULL")
        print("| setup | run | seconds | events/s | uplink CPU s | server CPU s | attempts | stored once | peak RSS MB |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for run in 1...runs {
            // Interleaved: each run measures both setups, so a busier moment hits both.
            for setup in chosen {
                let row = try await measure(setup, events: events, script: script)
                print("| \(setup.name) | \(run) | \(String(format: "%.2f", row.seconds)) | \(Int(Double(events) / row.seconds)) | "
                      + "\(String(format: "%.2f", row.uplinkCPU)) | \(String(format: "%.2f", row.serverCPU)) | \(row.attempts) | "
                      + "\(row.storedOnce ? "yes" : "NO") | \(peakResidentMegabytes()) |")
            }
        }
        print("Goal (defaults): 100,000 events in under 10 s on a 2-core machine.")
    }

    struct Row {
        var seconds: Double
        var uplinkCPU: Double
        var serverCPU: Double
        /// Calls of `UplinkService.attempt`: one request each, or one window of several.
        var attempts: Int
        var storedOnce: Bool
    }

    static func measure(_ setup: Setup, events: Int, script: String) async throws -> Row {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-drain-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        try BacklogSeeder.record(events, in: store, endingAt: Date())

        let key = CabinetSigningKey(privateKey: Curve25519.Signing.PrivateKey(), cabinetID: "bench-cabinet")
        let serverDatabase = directory.appendingPathComponent("server.sqlite").path
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", script, serverDatabase, key.publicKeyBase64, "--version", String(setup.serverVersion)]
            + (setup.serverTakesGzip ? [] : ["--no-gzip"])
        let input = Pipe()
        let output = Pipe()
        server.standardInput = input
        server.standardOutput = output
        try server.run()
        defer {
            try? input.fileHandleForWriting.close()
            server.waitUntilExit()
        }
        let port = try readPort(from: output.fileHandleForReading)

        var configuration = UplinkConfiguration(url: "http://127.0.0.1:\(port)", batchEvents: setup.batchEvents,
                                                batchesInFlight: setup.batchesInFlight, timeoutSeconds: 60)
        configuration.batchBytes = 512 * 1024
        var logger = Logger(label: "uplink-drain")
        logger.logLevel = .error
        let transport = try HTTPSUplinkTransport(configuration: configuration)
        let service = try UplinkService(configuration: configuration, cabinetID: key.cabinetID, store: store, transport: transport,
                                        key: key, doorLabel: { "A\($0)" }, logger: logger)
        // The first request only learns the server's version and window, as at every start.
        _ = await service.attempt(now: Date())

        let cpuBefore = try cpuSeconds(of: "self")
        let serverBefore = try cpuSeconds(of: String(server.processIdentifier))
        let started = ContinuousClock.now
        var attempts = 0
        while try store.uplinkBacklog().count > 0 {
            attempts += 1
            if case .failed(_, let reason) = await service.attempt(now: Date()) {
                print("  attempt failed: \(reason)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let elapsed = started.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let uplinkCPU = try cpuSeconds(of: "self") - cpuBefore
        let serverCPU = try cpuSeconds(of: String(server.processIdentifier)) - serverBefore
        await transport.shutdown()

        let held = try await DatabaseQueue(path: serverDatabase).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT sequence) FROM events WHERE held = 0") ?? 0
        }
        return Row(seconds: seconds, uplinkCPU: uplinkCPU, serverCPU: serverCPU, attempts: attempts, storedOnce: held == events)
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var description: String
    }

    static func readPort(from handle: FileHandle) throws -> Int {
        var text = ""
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { throw BenchmarkError(description: "the contract server ended before listening: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first, line.hasPrefix("port "), let port = Int(line.dropFirst(5)) else {
            throw BenchmarkError(description: "the contract server said \(text)")
        }
        return port
    }

    /// The highest resident set of this process so far (VmHWM), in MB.
    static func peakResidentMegabytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kilobytes / 1_024
    }

    /// User plus system CPU of a process from /proc (clock ticks of 1/100 s, Linux's USER_HZ).
    static func cpuSeconds(of process: String) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        guard let close = stat.lastIndex(of: ")") else { throw BenchmarkError(description: "unreadable /proc/\(process)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchmarkError(description: "unreadable /proc/\(process)/stat")
        }
        return (user + system) / 100
    }
}
