import Foundation
import GRDB
import LockerTestSupport
import Testing

/// A real `lockerd` started on a damaged state directory: a database that is not one, and a WAL
/// whose tail was torn (power lost mid-write). Custody data is never written over: a damaged
/// database is moved aside with an alarm and every door taken out of service; a torn WAL costs
/// only the frames that never committed.
@Suite struct StartupFaultTests {
    static func stateDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-startup-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Runs `body` on a thread of its own (the process helper blocks on pipes).
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { done in
            Thread { done.resume(with: Result { try body() }) }.start()
        }
    }

    @Test func aDamagedDatabaseIsMovedAsideWithAnAlarmAndEveryDoorQuarantined() async throws {
        let directory = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("lockerd.sqlite")
        let garbage = Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: database)

        let map = try await Self.onThread { () -> [String] in
            let daemon = try LockerdProcess(stateDirectory: directory)
            defer { daemon.quit() }
            return daemon.run("show", mark: 1) ?? []
        }
        let doors = map.filter { $0.range(of: #"^[A-Z]\d\d "#, options: .regularExpression) != nil }
        #expect(doors.count == 30)
        #expect(doors.allSatisfy { $0.contains("quarantined") }, "\(doors.prefix(3))")

        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("lockerd.sqlite.corrupt-") }
        #expect(kept.count == 1, "\(kept)")
        let aside = directory.appendingPathComponent(try #require(kept.first))
        #expect(try Data(contentsOf: aside) == garbage, "the damaged file is kept byte for byte")

        let queue = try DatabaseQueue(path: database.path)
        let kinds = try await queue.read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY sequence") }
        #expect(kinds.contains("store.moved_aside"))
        #expect(kinds.filter { $0 == "compartment.quarantined" }.count == 30)
    }

    @Test func aTornWALTailLosesOnlyWhatNeverCommitted() async throws {
        let directory = try Self.stateDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A few commits, then power is cut (SIGKILL keeps the WAL: it is never checkpointed away).
        let committed = try await Self.onThread { () -> Int in
            let daemon = try LockerdProcess(stateDirectory: directory)
            _ = daemon.run("press menu 1001 enter 4321 enter", mark: 1)
            _ = daemon.run("scan SF5000000001", mark: 2)
            _ = daemon.run("press enter", mark: 3)
            _ = daemon.run("put A03", mark: 4)
            _ = daemon.run("close A03", mark: 5)
            let lines = daemon.transcript.filter { $0.hasPrefix("event #") }.count
            daemon.kill()
            return lines
        }
        #expect(committed >= 3)
        let wal = directory.appendingPathComponent("lockerd.sqlite-wal")
        var bytes = try Data(contentsOf: wal)
        try #require(bytes.count > 4_096)
        // Half a frame of garbage after the last commit, as a write cut by power loss leaves it.
        bytes.append(Data(repeating: 0xA5, count: 2_000))
        try bytes.write(to: wal)

        let events = try await Self.onThread { () -> [String] in
            let daemon = try LockerdProcess(stateDirectory: directory)
            defer { daemon.quit() }
            return daemon.run("show", mark: 1) ?? []
        }
        #expect(events.contains { $0.hasPrefix("A03") && $0.contains("occupied") }, "\(events.prefix(5))")
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let kinds = try await queue.read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY sequence") }
        #expect(kinds.filter { $0 == "deposit.committed" }.count == 1)
        let check = try await queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
        #expect(check == ["ok"])
        let kept = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains("corrupt") }
        #expect(kept.isEmpty, "a torn WAL tail is not damage: \(kept)")
    }
}
