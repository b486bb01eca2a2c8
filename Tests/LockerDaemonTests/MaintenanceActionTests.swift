import Foundation
import LockerCore
import LockerHAL
import LockerMaintenanceProtocol
import LockerStore
import Synchronization
import Testing
@testable import LockerDaemon

/// The technician's actions on the cabinet loop, in process (the socket and lockerctl are
/// covered by LockerMaintenanceTests).
@Suite struct MaintenanceActionTests {
    let technician = MaintenancePeer(uid: 1000, gid: 1000, pid: 42, userName: "tech", access: .full)

    @Test func aParcelBehindAFailedLatchIsReleasedByATechnician() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, code) = try await cabinet.deposit("SF3000000001")
        let pickupCode = try #require(code)
        let address = cabinet.address(door)
        await cabinet.press("enter 2")  // courier options, log out

        // The latch fails at pickup: the door is quarantined with the parcel inside.
        cabinet.cabinet.setJammed(board: address.board, channel: address.channel, true)
        await cabinet.press(pickupCode)
        await cabinet.wait(seconds: 6)
        #expect(try cabinet.compartment(door).state == .quarantined)
        await cabinet.press(pickupCode)
        #expect(!cabinet.isOpen(door), "a quarantined door does not open for a code")

        // The technician repairs the latch, opens the door to check it, closes it, enables it.
        cabinet.cabinet.setJammed(board: address.board, channel: address.channel, false)
        let technician = self.technician
        let opened = await cabinet.inbox.perform { await $0.maintenanceOpen(door, reason: "latch replaced", by: technician) }
        #expect(try opened?.get().doors.first?.result == "done")
        #expect(cabinet.isOpen(door))
        try await cabinet.close(door)
        let enabled = await cabinet.inbox.perform { $0.maintenanceEnable(door, reason: "latch replaced", by: technician) }
        #expect(try enabled?.get().doors.first?.detail == "now occupied")
        #expect(try cabinet.compartment(door).state == .occupied)

        // The resident's code works again and the pickup completes.
        await cabinet.press(pickupCode)
        #expect(cabinet.isOpen(door))
        try await cabinet.take(door)
        try await cabinet.close(door)
        #expect(try cabinet.eventKinds().contains("pickup.committed"))
        let audit = try cabinet.events().filter { $0.kind == "maintenance.action" }
        #expect(audit.count == 2)
        #expect(audit.allSatisfy { $0.payload.contains("\"user\":\"tech\"") && $0.payload.contains("latch replaced") })
        await cabinet.stop()
    }

    @Test func actionsOnDoorsInUseAreRefusedAndRecorded() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF3000000002")
        await cabinet.press("enter")
        let door = try #require(cabinet.openDoorLabel())
        let technician = self.technician

        // The courier's deposit is in progress: the technician cannot take the door away.
        let quarantine = await cabinet.inbox.perform { $0.maintenanceQuarantine(door, reason: "noise", by: technician) }
        #expect(throws: MaintenanceFailure.self) { try quarantine?.get() }
        let open = await cabinet.inbox.perform { await $0.maintenanceOpen(door, reason: "look", by: technician) }
        #expect(throws: MaintenanceFailure.self) { try open?.get() }
        let enable = await cabinet.inbox.perform { $0.maintenanceEnable("A01", reason: "nothing wrong", by: technician) }
        #expect(throws: MaintenanceFailure.self) { try enable?.get() }
        let refusals = try cabinet.events().filter { $0.kind == "maintenance.action" && $0.payload.contains("\"result\":\"refused\"") }
        #expect(refusals.count == 3)
        #expect(try cabinet.compartment(door).state == .reserved)
        await cabinet.stop()
    }

    @Test func selftestNeverPulsesADoorHoldingParcels() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (door, _) = try await cabinet.deposit("SF3000000003")
        let plan = await cabinet.inbox.perform { $0.selftestPlan(nil) }
        let (doors, skipped) = try #require(try plan?.get())
        #expect(skipped.map(\.door) == [door])
        #expect(skipped.first?.detail.contains("parcel") == true)
        #expect(doors.count == cabinet.configuration.compartments.count - 1)
        let named = await cabinet.inbox.perform { $0.selftestPlan([door, "A02"]) }
        #expect(try named?.get().skipped.map(\.door) == [door])
        let unknown = await cabinet.inbox.perform { $0.selftestPlan(["Q77"]) }
        #expect(throws: MaintenanceFailure.self) { try unknown?.get() }
        await cabinet.stop()
    }
}

@Suite struct ForbiddenAttemptThrottleTests {
    @Test func oneRecordPerPeerPerIntervalCarryingTheAttemptsItStandsFor() {
        let throttle = ForbiddenAttemptThrottle(interval: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(throttle.admit(uid: 1000, now: start) == 1)
        #expect(throttle.admit(uid: 1000, now: start.addingTimeInterval(1)) == nil)
        #expect(throttle.admit(uid: 1000, now: start.addingTimeInterval(59)) == nil)
        #expect(throttle.admit(uid: 2000, now: start.addingTimeInterval(2)) == 1, "another peer has its own window")
        #expect(throttle.admit(uid: 1000, now: start.addingTimeInterval(60)) == 3, "the two unrecorded attempts and this one")
        #expect(throttle.admit(uid: 1000, now: start.addingTimeInterval(61)) == nil)
        // A clock set back does not silence a peer for ever.
        #expect(throttle.admit(uid: 1000, now: start) == 2)
    }
}

/// At the moment a latch is told to move, notes the newest record in the store.
final class LatchOrderNotes: Sendable {
    let store = Mutex<CabinetStore?>(nil)
    let lastRecordAtUnlock = Mutex<[String]>([])

    func noteUnlock() {
        let last = store.withLock { try? $0?.events(after: 0, limit: 100_000).last }
        lastRecordAtUnlock.withLock { $0.append(last.map { "\($0.kind) \($0.payload)" } ?? "none") }
    }
}

@Suite struct MaintenanceAuditOrderTests {
    @Test func theAuditRecordIsDurableBeforeTheLatchMoves() async throws {
        let notes = LatchOrderNotes()
        let cabinet = try await CabinetHarness(wrapBoards: { UnlockObservingBoard($0) { _, _ in notes.noteUnlock() } })
        defer { cabinet.removeFiles() }
        notes.store.withLock { $0 = cabinet.store }
        let technician = MaintenancePeer(uid: 1000, gid: 1000, pid: 42, userName: "tech", access: .full)

        _ = await cabinet.inbox.perform { await $0.maintenanceOpen("A05", reason: "check", by: technician) }
        #expect(notes.lastRecordAtUnlock.withLock { $0 }.last?.contains("maintenance.action") == true)
        #expect(notes.lastRecordAtUnlock.withLock { $0 }.last?.contains("\"result\":\"commanded\"") == true)
        try await cabinet.close("A05")

        _ = await cabinet.inbox.perform { await $0.maintenanceOpenAll(reason: "inventory", by: technician) }
        let atOpenAll = notes.lastRecordAtUnlock.withLock { $0 }.dropFirst()
        #expect(atOpenAll.count == cabinet.configuration.compartments.count)
        #expect(atOpenAll.allSatisfy { $0.contains("\"action\":\"open-all\"") && $0.contains("commanded") })
        await cabinet.stop()
    }
}

@Suite struct StorageBudgetTests {
    final class Probe: Sendable {
        let use = Mutex<(databaseBytes: Int64, volumeFreeBytes: Int64?)>((1_000_000, 10_000_000_000))
    }

    @Test func aFullStoreRefusesDepositsButPickupsGoOn() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let probe = Probe()
        _ = await cabinet.inbox.perform { $0.storageProbe = { probe.use.withLock { $0 } } }
        await cabinet.courierLogin()
        let (door, code) = try await cabinet.deposit("SF4000000001")
        let pickupCode = try #require(code)

        // The disk fills up (a budget of 512 MB, a reserve of 64 MB free).
        probe.use.withLock { $0 = (1_000_000, 10 * 1_048_576) }
        await cabinet.scan("SF4000000002")
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay.contains("cannot take parcels"), "\(cabinet.lastDisplay)")
        #expect(cabinet.openDoorLabel() == door, "no new door opened")
        #expect(try cabinet.eventKinds().last == "storage.full")
        #expect(await cabinet.inbox.perform { $0.storageFull } == true)

        await cabinet.press("clear")  // the courier gives up on the parcel...
        await cabinet.press("enter 2")  // ...and logs out
        await cabinet.press(pickupCode)
        #expect(cabinet.isOpen(door), "pickups go on with the store full: \(cabinet.display.suffix(3))")
        try await cabinet.take(door)
        try await cabinet.close(door)
        #expect(try cabinet.eventKinds().contains("pickup.committed"))

        // Room again (the backlog was sent, a technician freed the disk): deposits resume.
        probe.use.withLock { $0 = (1_000_000, 10_000_000_000) }
        await cabinet.wait(seconds: 31)
        #expect(try cabinet.eventKinds().contains("storage.recovered"))
        #expect(await cabinet.inbox.perform { $0.storageFull } == false)
        await cabinet.stop()
    }
}
