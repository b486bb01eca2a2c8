import Foundation
import GRDB
import LockerTestSupport
import Testing

/// The process-level subset of the board fault model (issue 14): a real `lockerd` driving a
/// simulated Kerong CU16 board through its real driver on a pseudo-terminal, killed with SIGKILL
/// during a board outage and started again. The physical world (the simulated cabinet's doors and
/// items) outlives the process in its state file, and this test changes it while no lockerd runs,
/// as a thief or a courier would while the controller is rebooting.
@Suite(.serialized) struct BoardFaultProcessTests {
    static let configuration = """
        {
          "cabinetID": "board-fault-process",
          "boards": [{ "address": 1, "kind": "simulated-kerong-cu16", "channels": 8, "hasItemSensors": true,
                       "pollMilliseconds": 20 }],
          "compartments": [
            { "label": "A01", "size": "S", "board": 1, "channel": 1 }, { "label": "A02", "size": "S", "board": 1, "channel": 2 },
            { "label": "A03", "size": "M", "board": 1, "channel": 3 }, { "label": "A04", "size": "M", "board": 1, "channel": 4 },
            { "label": "A05", "size": "L", "board": 1, "channel": 5 }, { "label": "A06", "size": "L", "board": 1, "channel": 6 },
            { "label": "A07", "size": "XL", "board": 1, "channel": 7 }, { "label": "A08", "size": "XL", "board": 1, "channel": 8 }
          ],
          "couriers": [{ "id": "1001", "name": "Ann", "pin": "4321" }]
        }
        """

    /// A state directory with the configuration above in it.
    static func cabinetDirectory() throws -> (directory: URL, arguments: [String]) {
        let directory = try StartupFaultTests.stateDirectory()
        let file = directory.appendingPathComponent("cabinet.json")
        try Data(configuration.utf8).write(to: file)
        return (directory, ["--config", file.path])
    }

    /// What a step on lockerd's thread did not see, with the end of the transcript: thrown, so the
    /// test fails with it (an expectation recorded on that thread would belong to no test).
    struct NotSeen: Error, CustomStringConvertible {
        var description: String
    }

    static func expectLine(_ text: String, from daemon: LockerdProcess) throws -> [String] {
        guard let lines = waitFor(text, from: daemon) else {
            throw NotSeen(description: "no \(text) from lockerd; it printed:\n" + daemon.transcript.suffix(30).joined(separator: "\n"))
        }
        return lines
    }

    /// Reads lockerd's output until a line containing `text` (the front panel prints each event as
    /// `event #N kind label`); the lines read on the way, or nil if the process ended or went quiet.
    static func waitFor(_ text: String, from daemon: LockerdProcess) -> [String]? {
        var lines: [String] = []
        while let line = daemon.readLine() {
            lines.append(line)
            if line.contains(text) { return lines }
        }
        return nil
    }

    /// A courier's deposit up to the parcel lying behind the open door; returns the door's label.
    static func depositUpToTheOpenDoor(_ daemon: LockerdProcess, tracking: String) throws -> String {
        _ = daemon.run("press menu 1001 enter 4321 enter", mark: 1)
        _ = daemon.run("scan \(tracking)", mark: 2)
        daemon.send("press enter")
        // The door is confirmed by the driver's poll of the simulated board, in real time.
        let seen = try expectLine("deposit.door_seen_open", from: daemon)
        guard let label = seen.last?.split(separator: " ").last.map(String.init) else { throw NotSeen(description: "no door label") }
        _ = daemon.run("put \(label)", mark: 3)
        return label
    }

    /// Changes the simulated cabinet's saved physical state while no lockerd runs: `body` gets the
    /// door and item arrays of board 1.
    static func changeTheWorld(in directory: URL, _ body: (inout [Bool], inout [Bool]) -> Void) throws {
        let file = directory.appendingPathComponent("simulated-cabinet.json")
        var physical = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        // Door and item states by board number: {"doorOpen": {"1": [false, ...]}, ...}.
        var doorOpen = try #require(physical["doorOpen"] as? [String: Any])
        var itemPresent = try #require(physical["itemPresent"] as? [String: Any])
        var doors = try #require((doorOpen["1"] as? [NSNumber])?.map(\.boolValue))
        var items = try #require((itemPresent["1"] as? [NSNumber])?.map(\.boolValue))
        body(&doors, &items)
        doorOpen["1"] = doors
        itemPresent["1"] = items
        physical["doorOpen"] = doorOpen
        physical["itemPresent"] = itemPresent
        try JSONSerialization.data(withJSONObject: physical).write(to: file)
    }

    struct Record: Sendable {
        var kinds: [String]
        var state: String
        var liveParcels: Int
    }

    static func record(_ directory: URL, door label: String) throws -> Record {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path)
        return try queue.read { db in
            Record(kinds: try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY sequence"),
             state: try String.fetchOne(db, sql: "SELECT state FROM compartments WHERE label = ?", arguments: [label]) ?? "?",
             liveParcels: 
                   try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM parcels WHERE status IN ('in_custody', 'overdue')") ?? -1)
        }
    }

    /// Sequence 2 across a power cut: a parcel in custody, the board goes silent, lockerd is
    /// killed; while nothing runs, a thief opens the door and takes the parcel. lockerd starts
    /// with the board still silent and decides nothing; when the board answers, the forced door
    /// and the missing parcel are alarms and the door is quarantined, the parcel kept on record.
    @Test func aDoorEmptiedWhileLockerdWasDeadAndTheBoardSilentIsAnAlarmOnReturn() async throws {
        let (directory, arguments) = try Self.cabinetDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let label = try await StartupFaultTests.onThread { () -> String in
            let daemon = try LockerdProcess(stateDirectory: directory, arguments: arguments)
            defer { daemon.kill() }
            let label = try Self.depositUpToTheOpenDoor(daemon, tracking: "SF6000000001")
            daemon.send("close \(label)")
            _ = try Self.expectLine("deposit.committed", from: daemon)
            daemon.send("board 1 down")
            _ = try Self.expectLine("board.offline", from: daemon)
            return label
        }
        let channel = try #require(Int(label.dropFirst()))
        try Self.changeTheWorld(in: directory) { doors, items in
            doors[channel - 1] = true
            items[channel - 1] = false
        }

        let (whileSilent, after) = try await StartupFaultTests.onThread { () -> (Record, [String]) in
            let daemon = try LockerdProcess(stateDirectory: directory, arguments: arguments)
            defer { daemon.quit() }
            // Started on a silent board: nothing is decided from it.
            _ = daemon.run("show", mark: 10)
            let whileSilent = try Self.record(directory, door: label)
            daemon.send("board 1 up")
            let lines = try Self.expectLine("parcel.missing", from: daemon)
            return (whileSilent, lines)
        }
        #expect(!whileSilent.kinds.contains("door.opened_unseen") && whileSilent.state == "occupied", "\(whileSilent)")
        let recorded = try Self.record(directory, door: label)
        #expect(recorded.kinds.contains("door.opened_unseen"), "\(recorded.kinds) \(after)")
        #expect(recorded.kinds.contains("parcel.missing"))
        #expect(recorded.state == "quarantined")
        #expect(recorded.liveParcels == 1, "the record keeps the parcel for a person to resolve")
    }

    /// Sequence 10 across a power cut: the deposit door stands open with the parcel inside, the
    /// board goes silent and lockerd is killed. Started again on the silent board, it cancels
    /// nothing; once the board answers and the courier closes the door, the deposit is recorded.
    @Test func aDepositInterruptedByASilentBoardAndAKillCommitsWhenTheDoorCloses() async throws {
        let (directory, arguments) = try Self.cabinetDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let label = try await StartupFaultTests.onThread { () -> String in
            let daemon = try LockerdProcess(stateDirectory: directory, arguments: arguments)
            defer { daemon.kill() }
            let label = try Self.depositUpToTheOpenDoor(daemon, tracking: "SF6000000002")
            daemon.send("board 1 down")
            _ = try Self.expectLine("board.offline", from: daemon)
            return label
        }

        let whileSilent = try await StartupFaultTests.onThread { () -> Record in
            let daemon = try LockerdProcess(stateDirectory: directory, arguments: arguments)
            defer { daemon.quit() }
            _ = daemon.run("show", mark: 10)
            let whileSilent = try Self.record(directory, door: label)
            daemon.send("board 1 up")
            _ = try Self.expectLine("board.online", from: daemon)
            daemon.send("close \(label)")
            // Settled by the restarted daemon, with the courier long gone: recorded as recovered.
            _ = try Self.expectLine("deposit.recovered", from: daemon)
            return whileSilent
        }
        #expect(!whileSilent.kinds.contains("deposit.cancelled"), "a silent board decides nothing: \(whileSilent.kinds)")
        let recorded = try Self.record(directory, door: label)
        #expect(!recorded.kinds.contains("deposit.cancelled"), "\(recorded.kinds)")
        #expect(recorded.liveParcels == 1)
    }
}
