import Foundation
import LockerMaintenanceProtocol
import LockerStore
import Testing
@testable import LockerDaemon

/// The uplink's halt on the cabinet loop: raised with its alarm, lifted only by an audited resume.
@Suite struct UplinkResumeTests {
    let technician = MaintenancePeer(uid: 1000, gid: 1000, pid: 42, userName: "tech", access: .full)

    @Test func aHaltIsRaisedWithItsAlarmAndLiftedByAnAuditedResume() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let halt = UplinkHalt(epoch: cabinet.store.epoch, sequence: 3, code: "hash_conflict", detail: "event 3 differs",
                              haltedAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(await cabinet.inbox.perform { $0.recordUplinkHalt(halt) } == true)
        #expect(try cabinet.store.uplinkHalt() == halt)
        let alarm = try #require(try cabinet.events().last)
        #expect(alarm.kind == "uplink.halted" && alarm.payload.contains("hash_conflict"))

        let technician = self.technician
        let resumed = try #require(await cabinet.inbox.perform { $0.maintenanceResumeUplink(reason: "server copy repaired", by: technician) })
        let report = try resumed.get()
        #expect(try cabinet.store.uplinkHalt() == nil)
        let audit = try #require(try cabinet.events().last)
        #expect(audit.sequence == report.auditSequence)
        #expect(audit.kind == "maintenance.action" && audit.payload.contains("\"action\":\"uplink.resume\"")
                && audit.payload.contains("server copy repaired") && audit.payload.contains("\"user\":\"tech\""))

        // Nothing to resume: refused, and the refusal is on record too.
        let again = try #require(await cabinet.inbox.perform { $0.maintenanceResumeUplink(reason: "twice", by: technician) })
        #expect(throws: MaintenanceFailure.self) { try again.get() }
        #expect(try cabinet.events().last?.payload.contains("\"result\":\"refused\"") == true)
        await cabinet.stop()
    }
}
