import Foundation
@testable import LockerDaemon
import Testing

/// The limits on audit records of outsiders: one per uid per minute, thirty an hour overall, and
/// every unrecorded attempt counted in the next record.
@Suite struct RefusedPeerThrottleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func onePeerIsRecordedOncePerMinuteWithItsAttempts() {
        let throttle = RefusedPeerThrottle()
        #expect(throttle.admit(uid: 7, now: start) == .init(attempts: 1, suppressed: 0))
        #expect(throttle.admit(uid: 7, now: start.addingTimeInterval(10)) == nil)
        #expect(throttle.admit(uid: 7, now: start.addingTimeInterval(59)) == nil)
        #expect(throttle.admit(uid: 7, now: start.addingTimeInterval(60)) == .init(attempts: 3, suppressed: 2))
        // Another peer is not held back by the first one's minute.
        #expect(throttle.admit(uid: 8, now: start.addingTimeInterval(61)) == .init(attempts: 1, suppressed: 0))
    }

    @Test func aFloodOfManyUidsGetsThirtyRecordsAnHourAndTheNextCountsTheRest() {
        let throttle = RefusedPeerThrottle()
        var recorded = 0
        for uid in UInt32(1000)..<UInt32(1500) {
            if throttle.admit(uid: uid, now: start.addingTimeInterval(Double(uid - 1000))) != nil { recorded += 1 }
        }
        #expect(recorded == 30)
        // An hour after the first record, its slot frees; the record counts every one left out.
        let next = throttle.admit(uid: 99, now: start.addingTimeInterval(3600))
        #expect(next == .init(attempts: 1, suppressed: 470))
    }

    @Test func aClockSetBackDoesNotSilenceAPeer() {
        let throttle = RefusedPeerThrottle()
        #expect(throttle.admit(uid: 7, now: start) != nil)
        #expect(throttle.admit(uid: 7, now: start.addingTimeInterval(-3600)) != nil)
    }
}
