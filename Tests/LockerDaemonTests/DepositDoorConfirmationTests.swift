import Foundation
import LockerCore
import LockerDaemon
import Testing

/// The panel tells the courier the truth about a deposit door (issue 14, sequence 11): "Opening
/// A03..." until the sensor sees the door open, and the opening is recorded when it is seen.
@Suite struct DepositDoorConfirmationTests {
    @Test func aDoorThatNeverOpensIsNeverAnnouncedOpenNorRecordedSeen() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        cabinet.cabinet.setJammed(board: 1, channel: 3, true)  // A03
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000011")
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay.hasPrefix("Opening A03..."), "\(cabinet.lastDisplay)")
        #expect(!cabinet.display.contains { $0.hasPrefix("Door A03 is open") })
        #expect(try !cabinet.eventKinds().contains("deposit.door_seen_open"))

        await cabinet.wait(seconds: 5)  // the door watch gives up on A03; A04 opens
        #expect(try cabinet.compartment("A03").state == .quarantined)
        #expect(!cabinet.display.contains { $0.hasPrefix("Door A03 is open") })
        #expect(cabinet.display.contains { $0.hasPrefix("Door A04 is open") }, "\(cabinet.display)")
        let seen = try cabinet.events().filter { $0.kind == "deposit.door_seen_open" }
        #expect(seen.count == 1)
        #expect(seen.first?.payload.contains("A04") == true, "\(seen)")
        await cabinet.stop()
    }

    @Test func aDoorSeenOpenIsAnnouncedAndRecordedAfterTheReservation() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        await cabinet.scan("SF2000000012")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel())
        #expect(cabinet.lastDisplay.hasPrefix("Door \(label) is open"), "\(cabinet.display)")
        let kinds = try cabinet.eventKinds()
        let opened = try #require(kinds.lastIndex(of: "deposit.door_opened"))
        let seen = try #require(kinds.lastIndex(of: "deposit.door_seen_open"))
        #expect(opened < seen)
        await cabinet.stop()
    }
}
