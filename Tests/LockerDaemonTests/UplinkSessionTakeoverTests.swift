import Foundation
import Testing
@testable import LockerDaemon

/// A cloned card at the broker: the alarm is recorded, once an hour at most, however often the
/// two cabinets take the session from each other.
@Suite struct UplinkSessionTakeoverTests {
    @Test func aTakenSessionIsAnAlarmOnceAnHour() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        func takeover() async -> Bool { await cabinet.inbox.perform { $0.recordUplinkSessionTakenOver(broker: "mqtts://broker:8883") } ?? false }
        #expect(await takeover())
        #expect(await takeover() == false)
        await cabinet.jump(seconds: 30 * 60)
        #expect(await takeover() == false)
        await cabinet.jump(seconds: 31 * 60)
        #expect(await takeover())
        let alarms = try cabinet.events().filter { $0.kind == "uplink.session_taken_over" }
        #expect(alarms.count == 2 && alarms.allSatisfy { $0.payload.contains("broker:8883") })
        await cabinet.stop()
    }
}
