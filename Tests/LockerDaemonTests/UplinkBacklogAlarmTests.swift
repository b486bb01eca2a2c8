import Foundation
import LockerCore
@testable import LockerDaemon
import LockerStore
import LockerUplink
import Testing

/// An alarm goes up when the server has not acknowledged events for longer than
/// `uplink.backlogAlarmHours`, once, and a record when the backlog caught up.
@Suite struct UplinkBacklogAlarmTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    struct PlainHasher: PickupCodeHasher {
        func hash(code: String) -> String { code }
    }

    @Test func theAlarmIsRaisedOnceWhenTheBacklogCrossesTheLimitAndClearedWhenItCatchesUp() {
        let custody = CustodyStateMachine(hasher: PlainHasher())
        let oldest = (sequence: Int64(7), at: Self.t0)
        let young = custody.uplinkBacklogChecked(oldestUnsent: oldest, unsent: 3, limitHours: 24, wasOld: false,
                                                 now: Self.t0.addingTimeInterval(23 * 3_600))
        #expect(young.change.events.isEmpty && !young.isOld)
        let crossed = custody.uplinkBacklogChecked(oldestUnsent: oldest, unsent: 3, limitHours: 24, wasOld: false,
                                                   now: Self.t0.addingTimeInterval(25 * 3_600))
        #expect(crossed.isOld && crossed.change.events.map(\.kind) == [.uplinkBacklogOld])
        #expect(crossed.change.events.first?.payload["oldest_sequence"] == .int(7))
        let still = custody.uplinkBacklogChecked(oldestUnsent: oldest, unsent: 4, limitHours: 24, wasOld: true,
                                                 now: Self.t0.addingTimeInterval(30 * 3_600))
        #expect(still.change.events.isEmpty && still.isOld, "raised once, not on every check")
        let caughtUp = custody.uplinkBacklogChecked(oldestUnsent: nil, unsent: 0, limitHours: 24, wasOld: true,
                                                    now: Self.t0.addingTimeInterval(31 * 3_600))
        #expect(!caughtUp.isOld && caughtUp.change.events.map(\.kind) == [.uplinkBacklogCaughtUp])
    }

    /// Through the real controller: a cabinet whose server never answers (nothing is ever
    /// acknowledged) records the alarm once the oldest event is a day and an hour old.
    @Test func aCabinetCutOffForADayRecordsTheAlarmOnce() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.uplink = UplinkConfiguration(url: "http://127.0.0.1:9")
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        await cabinet.jump(seconds: 3_600)
        #expect(try !cabinet.eventKinds().contains("uplink.backlog_old"))
        await cabinet.jump(seconds: 24 * 3_600)
        await cabinet.jump(seconds: 120)
        let kinds = try cabinet.eventKinds()
        #expect(kinds.filter { $0 == "uplink.backlog_old" }.count == 1, "\(kinds)")
        await cabinet.stop()
    }
}
