import Foundation
import GRDB
import LockerTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real `lockerd` whose state directory is on a small tmpfs that another process fills to the
/// last block: the disk reserve is released so that the pickup of a parcel deposited before the
/// disk filled still commits, deposits are refused while it is released, and it is made again
/// when space returns. Needs root for `mount -t tmpfs` (as here and in CI).
@Suite(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct FullDiskTests {
    /// Runs a tool to its end; its exit status.
    @discardableResult
    static func tool(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func freeBytes(_ directory: URL) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfFileSystem(forPath: directory.path)
        return (attributes[.systemFreeSize] as? NSNumber)?.int64Value ?? -1
    }

    static func events(_ transcript: [String], _ kind: String) -> [String] {
        transcript.filter { $0.hasPrefix("event #") && $0.contains(" \(kind)") }
    }

    @Test func aPickupCommitsOnAFullDiskThroughTheReserveAndDepositsWaitForSpace() async throws {
        let mountPoint = try StartupFaultTests.stateDirectory()
        // 96 MB: above the default minimumFreeDiskMegabytes (64), so deposits are taken at first.
        try #require(try Self.tool("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=96m,mode=0700", "tmpfs", mountPoint.path]) == 0,
                     "mount -t tmpfs failed")
        defer {
            _ = try? Self.tool("/usr/bin/umount", [mountPoint.path])
            try? FileManager.default.removeItem(at: mountPoint)
        }
        let directory = mountPoint.appendingPathComponent("state")
        let filler = mountPoint.appendingPathComponent("filler")
        let reserve = directory.appendingPathComponent("lockerd.reserve")

        let transcript = try await StartupFaultTests.onThread { () throws -> [String] in
            let daemon = try LockerdProcess(stateDirectory: directory)
            defer { daemon.quit() }
            _ = daemon.run("show", mark: 1)
            StateDirectoryEdgeTests.deposit(daemon)
            let code = daemon.transcript.compactMap(CrashWorkloadDriver.pickupCode).last
            _ = daemon.run("press menu", mark: 6)
            let reserveHeldBefore = FileManager.default.fileExists(atPath: reserve.path)

            // Another process fills the disk to the last block (dd stops on ENOSPC, non-zero).
            let filled = try Self.tool("/usr/bin/dd", ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
            let freeWhenFull = try Self.freeBytes(mountPoint)

            _ = daemon.run("press \(code ?? "0")", mark: 7)
            _ = daemon.run("take A03", mark: 8)
            _ = daemon.run("close A03", mark: 9)
            let reserveHeldWhenFull = FileManager.default.fileExists(atPath: reserve.path)
            // A deposit is refused while the reserve is released (pickups go on).
            _ = daemon.run("press menu 1001 enter 4321 enter", mark: 10)
            _ = daemon.run("scan SF5000000002", mark: 11)
            let refusal = daemon.run("press enter", mark: 12) ?? []
            _ = daemon.run("press menu", mark: 13)

            // Space returns: the next storage check makes the reserve again and deposits resume.
            try FileManager.default.removeItem(at: filler)
            _ = daemon.run("wait 60", mark: 14)
            let reserveHeldAfter = FileManager.default.fileExists(atPath: reserve.path)
            #expect(code != nil, "the deposit showed a pickup code")
            #expect(reserveHeldBefore, "the reserve is made at start")
            #expect(filled != 0 && freeWhenFull < 64 * 1024, "the disk was full: dd status \(filled), \(freeWhenFull) bytes free")
            #expect(!reserveHeldWhenFull, "the reserve was released for the pickup")
            #expect(refusal.contains { $0.contains("storage is full") && $0.contains("Pickups still work") }, "\(refusal)")
            #expect(reserveHeldAfter, "the reserve is made again when space returns")
            return daemon.transcript
        }
        #expect(Self.events(transcript, "pickup.door_opened").count == 1, "\(transcript.suffix(30))")
        #expect(Self.events(transcript, "pickup.committed").count == 1, "\(transcript.suffix(30))")
        #expect(Self.events(transcript, "storage.full").count == 1)
        #expect(Self.events(transcript, "storage.recovered").count == 1)
        #expect(!transcript.contains { $0.contains("cannot record this pickup") })

        let queue = try DatabaseQueue(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let recorded = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, payload FROM events WHERE kind IN ('pickup.committed', 'storage.full') ORDER BY sequence")
        }
        #expect(recorded.map { $0["kind"] as String } == ["storage.full", "pickup.committed"])
        let alarm: String? = recorded.first?["payload"]
        #expect(alarm?.contains("\"disk_reserve_held\":false") == true, "\(alarm ?? "")")
        let allocated = try FileManager.default.attributesOfItem(atPath: reserve.path)[.size] as? Int
        #expect(allocated == 4 * 1_048_576)
    }
}
