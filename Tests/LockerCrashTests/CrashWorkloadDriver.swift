import Foundation
import GRDB
import LockerStore
import LockerTestSupport

/// Drives `lockerd` through deposits and pickups, kills it at seeded random points, restarts it and
/// checks the store after every restart.
final class CrashWorkloadDriver {
    struct Report {
        var kills = 0
        var acknowledgedEvents = 0
        var deposits = 0
        var pickups = 0
        var doorsClosedWhileDown = 0
        var retrievals = 0
        var failures: [String] = []
    }

    /// The simulator's saved physical world (same shape as the simulator writes it).
    struct Physical: Decodable {
        var doorOpen: [Int: [Bool]]
        var itemPresent: [Int: [Bool]]
    }

    private var random: SplitMix64
    private let directory: URL
    /// Events the process printed, i.e. that were committed before being reported.
    private var acknowledged: [Int64: String] = [:]
    /// Pickup codes shown on the display, by door label, until the pickup is committed.
    private var codes: [String: String] = [:]
    private var mark = 0
    private var report = Report()
    private var nextTracking = 1
    /// Output lines left before the next kill; nil while starting and verifying.
    private var linesUntilKill: Int?

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-crash-\(UUID().uuidString)")
    }

    func run(killPoints: Int) -> Report {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var report = runRounds(killPoints)
        report.acknowledgedEvents = acknowledged.count
        return report
    }

    private func runRounds(_ killPoints: Int) -> Report {
        for round in 0..<killPoints {
            guard let process = try? LockerdProcess(stateDirectory: directory) else {
                report.failures.append("round \(round): lockerd did not start")
                return report
            }
            defer { process.kill() }
            // Let it start and reconcile; then the store must be consistent.
            linesUntilKill = nil
            guard step(process, "show") != nil else {
                report.failures.append("round \(round): lockerd died at start: \(process.transcript.suffix(5))")
                return report
            }
            verify(round: round)
            if !report.failures.isEmpty { return report }
            // The process is killed after a random number of output lines: between commands, or
            // in the middle of one (before, during or after its commit).
            linesUntilKill = Int(random.next() % 90) + 1
            while workloadStep(process) {}
            if process.hung {
                report.failures.append("round \(round): lockerd stopped answering; last output: \(process.transcript.suffix(12))")
                return report
            }
            process.kill()
            report.kills += 1
            // During the outage people still close doors that were left open (a latched door
            // cannot be opened without the controller, but an open one can be pushed shut).
            if random.next() % 2 == 0 { closeDoorsWhileDown() }
        }
        // A last clean start and check.
        if let process = try? LockerdProcess(stateDirectory: directory) {
            linesUntilKill = nil
            _ = step(process, "show")
            verify(round: killPoints)
            process.quit()
        }
        return report
    }

    // MARK: - Workload

    /// One person's action at the cabinet, chosen at random. Returns false if the process died.
    private func workloadStep(_ process: LockerdProcess) -> Bool {
        let physical = readPhysical()
        // A door someone left open gets closed (after taking or leaving the parcel).
        if let open = openDoors(physical).first, random.next() % 2 == 0 {
            return step(process, "close \(open)") != nil
        }
        if !codes.isEmpty, random.next() % 3 == 0 {
            let (label, code) = codes.sorted(by: { $0.key < $1.key })[Int(random.next() % UInt64(codes.count))]
            guard let lines = step(process, "press \(code)") else { return false }
            if lines.contains(where: { $0.contains("Door \(label) is open") }) {
                guard step(process, "take \(label)") != nil else { return false }
                return step(process, "close \(label)") != nil
            }
            return true
        }
        guard step(process, "press menu 1001 enter 4321 enter") != nil else { return false }
        let tracking = String(format: "CR%08d", nextTracking)
        nextTracking += 1
        guard step(process, "scan \(tracking)") != nil else { return false }
        guard let lines = step(process, "press \(Int(random.next() % 3) + 1)") else { return false }
        guard let label = lines.compactMap(Self.openedDoor).first else {
            if lines.contains(where: { $0.contains("No free") }) {
                // Full (some codes were never seen: their deposits were recovered after a kill).
                // Let the parcels become overdue and retrieve one door.
                guard step(process, "wait 180000") != nil,
                      step(process, "press menu 1001 enter 4321 enter") != nil,
                      let opened = step(process, "press enter 1")
                else { return false }
                if let door = opened.compactMap(Self.openedDoor).first {
                    guard step(process, "take \(door)") != nil, step(process, "close \(door)") != nil else { return false }
                    report.retrievals += 1
                }
            }
            return step(process, "press menu") != nil
        }
        guard step(process, "put \(label)") != nil else { return false }
        guard step(process, "close \(label)") != nil else { return false }
        return step(process, "press menu") != nil
    }

    private func step(_ process: LockerdProcess, _ command: String) -> [String]? {
        mark += 1
        process.send(command)
        process.send("mark \(mark)")
        var lines: [String] = []
        while true {
            guard let line = process.readLine() else { return nil }
            if line == "mark \(mark)" { break }
            lines.append(line)
            observe(line)
            if let left = linesUntilKill {
                if left <= 1 {
                    process.kill()
                    return nil
                }
                linesUntilKill = left - 1
            }
        }
        var lastOpened: String?
        for line in lines {
            if let label = Self.openedDoor(line) { lastOpened = label }
            if let code = Self.pickupCode(line), let label = lastOpened ?? Self.depositedDoor(line) {
                codes[label] = code
            }
        }
        return lines
    }

    /// Notes committed events and codes from any output line.
    private func observe(_ line: String) {
        if line.hasPrefix("event #") {
            let parts = line.dropFirst(7).split(separator: " ")
            if parts.count >= 2, let sequence = Int64(parts[0]) {
                acknowledged[sequence] = String(parts[1])
                switch parts[1] {
                case "deposit.committed", "deposit.recovered": report.deposits += 1
                case "pickup.committed":
                    report.pickups += 1
                    if parts.count >= 3 { codes[String(parts[2])] = nil }
                default: break
                }
            }
        }
        if let code = Self.pickupCode(line), let label = Self.depositedDoor(line) { codes[label] = code }
    }

    /// Edits the simulator's saved world as a person would while the controller is dead: every
    /// open door is pushed shut, sometimes after taking what is inside.
    private func closeDoorsWhileDown() {
        let url = directory.appendingPathComponent("simulated-cabinet.json")
        guard let data = try? Data(contentsOf: url),
              var world = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              var doors = world["doorOpen"] as? [String: [Bool]], var items = world["itemPresent"] as? [String: [Bool]]
        else { return }
        for board in doors.keys.sorted() {
            guard var open = doors[board], var present = items[board] else { continue }
            for channel in open.indices where open[channel] {
                open[channel] = false
                report.doorsClosedWhileDown += 1
                if random.next() % 2 == 0 { present[channel] = !present[channel] }
            }
            doors[board] = open
            items[board] = present
        }
        world["doorOpen"] = doors
        world["itemPresent"] = items
        if let updated = try? JSONSerialization.data(withJSONObject: world) { try? updated.write(to: url) }
    }

    // MARK: - Checks after every restart

    private func verify(round: Int) {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let database = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path,
                                             configuration: configuration)
            defer { try? database.close() }
            try database.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if integrity != ["ok"] { fail(round, "integrity_check: \(integrity)") }

                let sequences = try Int64.fetchAll(db, sql: "SELECT sequence FROM events ORDER BY sequence")
                if sequences != (0..<Int64(sequences.count)).map({ $0 + 1 }) {
                    fail(round, "event sequence numbers have gaps: \(sequences.prefix(20))...")
                }
                let kinds = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT sequence, kind FROM events")
                    .map { (row: Row) -> (Int64, String) in (row["sequence"], row["kind"]) })
                for (sequence, kind) in acknowledged where kinds[sequence] != kind {
                    fail(round, "acknowledged event #\(sequence) \(kind) is \(kinds[sequence] ?? "missing")")
                }

                // The hash chain survives every kill: each event links to the one before it, and
                // the recorded head is the last event's hash.
                var previous = EventHashChain.genesis
                for row in try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY sequence") {
                    let sequence: Int64 = row["sequence"]
                    let recomputed = EventHashChain.hash(
                        previous: previous, sequence: sequence, epoch: row["epoch"], kind: row["kind"],
                        occurredAt: row["occurred_at"], monotonicNanoseconds: row["monotonic_ns"],
                        compartmentID: row["compartment_id"], parcelID: row["parcel_id"], payload: row["payload"])
                    if (row["previous_hash"] as String) != previous || (row["hash"] as String) != recomputed {
                        fail(round, "the hash chain breaks at event \(sequence)")
                        break
                    }
                    previous = recomputed
                }
                if try String.fetchOne(db, sql: "SELECT head FROM chain WHERE id = 1") != previous {
                    fail(round, "the recorded chain head is not the last event's hash")
                }

                let mixed = try Int.fetchAll(db, sql: """
                    SELECT compartment_id FROM parcels WHERE status IN ('in_custody','overdue')
                    GROUP BY compartment_id
                    HAVING COUNT(DISTINCT recipient_reference) > 1 OR (COUNT(*) > 1 AND MIN(recipient_reference) = '')
                    """)
                if !mixed.isEmpty { fail(round, "compartments \(mixed) hold parcels of different recipients") }

                let physical = readPhysical()
                for row in try Row.fetchAll(db, sql: "SELECT id, label, is_door_open FROM compartments ORDER BY id") {
                    let id: Int = row["id"]
                    let board = id < 16 ? 1 : 2
                    let channel = id < 16 ? id : id - 16
                    let sensor = physical?.doorOpen[board]?[channel] ?? false
                    let recorded: Bool = row["is_door_open"]
                    if sensor != recorded {
                        fail(round, "door \(row["label"] as String) recorded \(recorded ? "open" : "closed"), sensor says \(sensor ? "open" : "closed")")
                    }
                }
            }
        } catch {
            fail(round, "cannot read the store: \(error)")
        }
    }

    private func fail(_ round: Int, _ message: String) {
        report.failures.append("after kill \(round): \(message)")
    }

    // MARK: - Parsing

    private func readPhysical() -> Physical? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("simulated-cabinet.json")) else { return nil }
        return try? JSONDecoder().decode(Physical.self, from: data)
    }

    private func openDoors(_ physical: Physical?) -> [String] {
        guard let physical else { return [] }
        var labels: [String] = []
        for (board, prefix) in [(1, "A"), (2, "B")] {
            for (index, open) in (physical.doorOpen[board] ?? []).enumerated() where open {
                labels.append(String(format: "%@%02d", prefix, index + 1))
            }
        }
        return labels
    }

    static func openedDoor(_ line: String) -> String? {
        guard let range = line.range(of: #"Door [A-Z]\d\d is open"#, options: .regularExpression) else { return nil }
        return String(line[range].dropFirst(5).prefix(3))
    }

    static func depositedDoor(_ line: String) -> String? {
        guard let range = line.range(of: #"Deposited in [A-Z]\d\d"#, options: .regularExpression) else { return nil }
        return String(line[range].suffix(3))
    }

    static func pickupCode(_ line: String) -> String? {
        guard let range = line.range(of: #"Pickup code \d+"#, options: .regularExpression) else { return nil }
        return String(line[range].split(separator: " ").last ?? "")
    }
}
