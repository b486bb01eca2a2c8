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
        // What the board had been read at each beat, recorded on the poll loop's own thread, so
        // the test's own wake-ups (late on a loaded machine) do not matter.
        let readsAtBeat = Mutex<[Int]>([])
        let loop = Task {
            try await board.run(delivering: PolledBoardReadTests.RecordingHandler(),
                                heartbeat: { readsAtBeat.withLock { $0.append(reads.load(ordering: .relaxed)) } })
        }
        defer { loop.cancel() }
        try #require(await HD44780DisplayTests.eventually { reads.load(ordering: .relaxed) >= 1 }, "the loop never polled")

        bus.pollDeferral.hold(for: PollDeferral.longestHold)
        let beatsAtHold = readsAtBeat.withLock { $0.count }
        try #require(await HD44780DisplayTests.eventually { readsAtBeat.withLock { $0.count } >= beatsAtHold + 6 }, "the held loop stopped beating")
        // The first beat may close a poll already under way when the hold came; then five beats
        // (every poll interval while held), and not one read between them.
        let held = readsAtBeat.withLock { Array($0[(beatsAtHold + 1)...(beatsAtHold + 5)]) }
        #expect(Set(held).count == 1, "the board was read while its bus was held: \(held)")

        bus.pollDeferral.release()
        #expect(await HD44780DisplayTests.eventually { reads.load(ordering: .relaxed) >= held[0] + 2 }, "no poll once released")
        loop.cancel()
        _ = try? await loop.value
        await bus.close()
    }
}
