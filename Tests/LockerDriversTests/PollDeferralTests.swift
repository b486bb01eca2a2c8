import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// Status polls wait while someone is at the keypad, so the key that completes a code finds the
/// bus free (no inter-frame gap after a poll to wait out), within a bound that keeps the doors
/// watched whatever the keypad does.
@Suite struct PollDeferralTests {
    @Test func aHoldLastsItsTimeMovesOnWithEachKeyAndEndsOnRelease() {
        let deferral = PollDeferral()
        let t0 = ContinuousClock.now
        #expect(deferral.heldUntil(at: t0) == nil)
        deferral.hold(for: .seconds(2), now: t0)
        #expect(deferral.heldUntil(at: t0) == t0 + .seconds(2))
        #expect(deferral.heldUntil(at: t0 + .milliseconds(1_999)) == t0 + .seconds(2))
        #expect(deferral.heldUntil(at: t0 + .seconds(2)) == nil)
        deferral.hold(for: .seconds(2), now: t0 + .seconds(1))
        #expect(deferral.heldUntil(at: t0 + .milliseconds(2_500)) == t0 + .seconds(3))
        deferral.release()
        #expect(deferral.heldUntil(at: t0 + .milliseconds(1_500)) == nil)
    }

    /// Someone typing without end: the stretch ends at `longestHold`, then polls go for
    /// `pollsResumeFor` whatever is typed, then a key may hold them again.
    @Test func aStretchOfHoldsIsBoundedAndPollsThenResume() {
        let deferral = PollDeferral()
        let t0 = ContinuousClock.now
        var now = t0
        while now < t0 + PollDeferral.longestHold {
            deferral.hold(for: .seconds(2), now: now)
            #expect(deferral.heldUntil(at: now) == min(now + .seconds(2), t0 + PollDeferral.longestHold))
            now += .milliseconds(300)
        }
        #expect(deferral.heldUntil(at: t0 + PollDeferral.longestHold) == nil)
        // Keys typed now do not hold the polls, until they had their time.
        let resumedUntil = t0 + PollDeferral.longestHold + PollDeferral.pollsResumeFor
        deferral.hold(for: .seconds(2), now: resumedUntil - .milliseconds(1))
        #expect(deferral.heldUntil(at: resumedUntil - .milliseconds(1)) == nil)
        deferral.hold(for: .seconds(2), now: resumedUntil)
        #expect(deferral.heldUntil(at: resumedUntil) == resumedUntil + .seconds(2))
    }

    /// A Kerong board's poll loop on a held bus only beats; released, it polls again.
    @Test func aHeldBusIsNotPolledUntilReleased() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let reads = Atomic<Int>(0)
        let simulated = SharedBoard(SimulatedKerongCU16Board(board: 1, polarity: .setMeansOpen, hardware: .init(
            readDoors: { reads.add(1, ordering: .relaxed); return (locks.doors, locks.items.withLock { $0 }) },
            pulse: { locks.pulse($0) })))
        let server = try ByteBoardServer([{ bytes in simulated.withBoard { $0.receive(bytes) } }])
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: PolledBoardReadTests.fast)
        let board = try KerongCU16LockBoard(address: 1, polarity: .setMeansOpen, hasItemSensors: true, bus: bus,
                                            pollIntervalMilliseconds: 10)
        #expect(board.pollDeferral === bus.pollDeferral)
        bus.pollDeferral.hold(for: .seconds(60))
        let beats = Atomic<Int>(0)
        let loop = Task { try await board.run(delivering: PolledBoardReadTests.RecordingHandler(), heartbeat: { beats.add(1, ordering: .relaxed) }) }
        defer { loop.cancel() }
        // Beats come every poll interval while held: several of them, and not one read.
        try await Self.waitUntil { beats.load(ordering: .relaxed) >= 5 }
        #expect(reads.load(ordering: .relaxed) == 0)
        bus.pollDeferral.release()
        try await Self.waitUntil { reads.load(ordering: .relaxed) >= 2 }
        loop.cancel()
        _ = try? await loop.value
        await bus.close()
    }

    /// Waits (yielding, checking every millisecond, at most 5 s) for the loop under test.
    static func waitUntil(_ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            try #require(ContinuousClock.now < deadline, "timed out")
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
