import Foundation
import LockerStore
import LockerTestSupport
import LockerUplink
import Testing

/// A server that lost events of an earlier epoch (restored from its own backup) asks for them
/// again with `resend_events`; the cabinet loop records the request, and the uplink sends that
/// epoch's events again from there, then goes back to where it was.
@Suite struct UplinkResendTests {
    @Test(arguments: [2, 3])
    func anEarlierEpochThatTheServerLostIsSentAgainOnRequest(contractVersion: Int) async throws {
        try await UplinkTestBed.run(timeoutSeconds: 5, contractVersion: contractVersion, serverThreads: 2) { bed in
            try bed.store.beginEpoch(at: Date())
            let earlier = bed.store.epoch
            try bed.record(600)
            try bed.store.beginEpoch(at: Date())
            try bed.record(300)
            try await bed.drain()
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            let first = try #require(try bed.store.firstSequence(ofEpoch: earlier))

            // The server lost everything of the earlier epoch after its 100th event.
            bed.server.forget(after: first + 99, epoch: earlier)
            #expect(try bed.serverHoldsExactlyTheStore() != nil)
            try bed.store.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: 1)) { tx in
                try tx.requestUplinkResend(from: first + 100)
            }
            #expect(try bed.store.uplinkResendFrom() == first + 100)
            for _ in 0..<20 where try bed.serverHoldsExactlyTheStore() != nil {
                _ = await bed.service.attempt(now: Date())
            }
            #expect(try bed.serverHoldsExactlyTheStore() == nil, "the lost events came again")
            #expect(try bed.store.uplinkResendFrom() == nil, "the request was taken up")
            let acknowledged = try bed.store.uplinkAcknowledgedSequence()
            #expect(acknowledged == (try bed.store.lastEventSequence()), "nothing acknowledged was given up")
            // Sent again from the request on, not the whole record.
            #expect(bed.server.eventsReceived < 900 + 900, "\(bed.server.eventsReceived) events sent")
        }
    }
}
