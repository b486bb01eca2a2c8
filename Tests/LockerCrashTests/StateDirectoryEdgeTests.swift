import Foundation
import GRDB
import LockerTestSupport
import Testing

/// A real `lockerd` on a state directory mangled at its edges: a lost device key, an empty or
/// missing database where a cabinet ran before, a WAL from another database. Nothing is lost
/// silently: each is refused or recorded, and doors whose custody is unknown are quarantined.
@Suite struct StateDirectoryEdgeTests {
    /// A cabinet that ran once: one parcel deposited into A03, then a clean quit.
    static func cabinetWithAParcel() async throws -> URL {
        let directory = try StartupFaultTests.stateDirectory()
        try await StartupFaultTests.onThread {
            let daemon = try LockerdProcess(stateDirectory: directory)
            defer { daemon.quit() }
            Self.deposit(daemon)
        }
        return directory
    }

    static func deposit(_ daemon: LockerdProcess, tracking: String = "SF5000000001") {
        _ = daemon.run("press menu 1001 enter 4321 enter", mark: 1)
        _ = daemon.run("scan \(tracking)", mark: 2)
        _ = daemon.run("press enter", mark: 3)
        _ = daemon.run("put A03", mark: 4)
        _ = daemon.run("close A03", mark: 5)
    }

    /// lockerd started with nothing on standard input: its exit status and standard error.
    static func runToExit(_ directory: URL, arguments: [String] = []) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = LockerdProcess.binary
        process.arguments = ["--state-directory", directory.path, "--manual-clock", "--log-format", "text"] + arguments
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }

    static func eventKinds(_ directory: URL) throws -> [String] {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path)
        return try queue.read { db in try String.fetchAll(db, sql: "SELECT kind FROM events ORDER BY sequence") }
    }

    @Test func aMissingDeviceKeyWithParcelsInCustodyIsRefusedAndNothingChanges() async throws {
        let directory = try await Self.cabinetWithAParcel()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("device.key")
        try FileManager.default.removeItem(at: key)
        let before = try Self.eventKinds(directory)

        let refused = try await StartupFaultTests.onThread { try Self.runToExit(directory) }
        #expect(refused.status != 0)
        #expect(refused.error.contains("device key") && refused.error.contains("--new-device-key"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: key.path), "no key is made behind the residents' backs")
        #expect(try Self.eventKinds(directory) == before)
    }

    @Test func theRecoveryMakesANewKeyAndRecordsTheCodesItEnds() async throws {
        let directory = try await Self.cabinetWithAParcel()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("device.key")
        try FileManager.default.removeItem(at: key)

        let shown = try await StartupFaultTests.onThread { () -> [String] in
            let daemon = try LockerdProcess(stateDirectory: directory, arguments: ["--new-device-key"])
            defer { daemon.quit() }
            return daemon.run("show", mark: 1) ?? []
        }
        #expect(shown.contains { $0.hasPrefix("A03") && $0.contains("occupied") }, "the parcel stays in custody: \(shown.prefix(4))")
        #expect(FileManager.default.fileExists(atPath: key.path))
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let payload = try await queue.read { db in
            try String.fetchOne(db, sql: "SELECT payload FROM events WHERE kind = 'codes.invalidated'")
        }
        let recorded = try #require(payload)
        #expect(recorded.contains("SF5000000001") && recorded.contains("A03"), "\(recorded)")
        let marked = try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM compartments WHERE code_hash LIKE 'invalidated:%'")
        }
        #expect(marked == 1)

        // Started again (the flag left on by mistake) it refuses: the key now exists.
        let again = try await StartupFaultTests.onThread { try Self.runToExit(directory, arguments: ["--new-device-key"]) }
        #expect(again.status != 0 && again.error.contains("present"), "\(again.error)")
    }

    @Test(arguments: ["empty", "missing"])
    func anEmptyOrMissingDatabaseAfterEarlierLifeIsDamage(_ how: String) async throws {
        let directory = try await Self.cabinetWithAParcel()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("lockerd.sqlite")
        if how == "empty" {
            try Data().write(to: database)
        } else {
            try FileManager.default.removeItem(at: database)
        }
        let shown = try await StartupFaultTests.onThread { () -> [String] in
            let daemon = try LockerdProcess(stateDirectory: directory)
            defer { daemon.quit() }
            return daemon.run("show", mark: 1) ?? []
        }
        let doors = shown.filter { $0.range(of: #"^[A-Z]\d\d "#, options: .regularExpression) != nil }
        #expect(doors.count == 30)
        #expect(doors.allSatisfy { $0.contains("quarantined") }, "A03 still holds a parcel: \(doors.prefix(3))")
        let kinds = try Self.eventKinds(directory)
        #expect(kinds.contains("store.moved_aside"))
    }

    @Test func aStrayWALFromAnotherDatabaseIsDetectedAndMovedAside() async throws {
        // Cabinet A quits cleanly (no WAL); cabinet B takes a parcel and loses power (its WAL stays).
        let cabinetA = try await StartupFaultTests.onThread { () -> URL in
            let directory = try StartupFaultTests.stateDirectory()
            let daemon = try LockerdProcess(stateDirectory: directory)
            _ = daemon.run("show", mark: 1)
            daemon.quit()
            return directory
        }
        let cabinetB = try await StartupFaultTests.onThread { () -> URL in
            let directory = try StartupFaultTests.stateDirectory()
            let daemon = try LockerdProcess(stateDirectory: directory)
            Self.deposit(daemon)
            daemon.kill()
            return directory
        }
        defer {
            try? FileManager.default.removeItem(at: cabinetA)
            try? FileManager.default.removeItem(at: cabinetB)
        }
        let strayWAL = cabinetB.appendingPathComponent("lockerd.sqlite-wal")
        try #require(FileManager.default.fileExists(atPath: strayWAL.path))
        try FileManager.default.copyItem(at: strayWAL, to: cabinetA.appendingPathComponent("lockerd.sqlite-wal"))
        let originalA = try Data(contentsOf: cabinetA.appendingPathComponent("lockerd.sqlite"))

        let shown = try await StartupFaultTests.onThread { () -> [String] in
            let daemon = try LockerdProcess(stateDirectory: cabinetA)
            defer { daemon.quit() }
            return daemon.run("show", mark: 1) ?? []
        }
        let doors = shown.filter { $0.range(of: #"^[A-Z]\d\d "#, options: .regularExpression) != nil }
        #expect(doors.count == 30 && doors.allSatisfy { $0.contains("quarantined") }, "\(doors.prefix(4))")
        #expect(try Self.eventKinds(cabinetA).contains("store.moved_aside"))
        let aside = try FileManager.default.contentsOfDirectory(atPath: cabinetA.path)
            .filter { $0.hasPrefix("lockerd.sqlite.corrupt-") && !$0.contains("-wal") && !$0.contains("-shm") && !$0.hasSuffix(".identity") }
        #expect(aside.count == 1, "\(aside)")
        if let file = aside.first {
            #expect(try Data(contentsOf: cabinetA.appendingPathComponent(file)) == originalA,
                    "the stray WAL was never checkpointed into A's file")
        }
    }
}
