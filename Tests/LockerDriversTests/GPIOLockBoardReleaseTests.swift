#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerHAL
import LockerTesting
import Synchronization
import Testing

/// `LockBoard.releaseAll` on a GPIO board: the inert state is every latch line at its inactive
/// level, reached through the protocol the daemon uses at shutdown.
@Suite struct GPIOLockBoardReleaseTests {
    @Test func releaseAllLeavesEveryLatchLineInactive() async throws {
        let rig = GPIOTestRig()
        let board: any LockBoard = try rig.board()

        await board.releaseAll()

        // Inactive is low for the active-high latches and high for the active-low one.
        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
        #expect(rig.driver.level(of: .offset(2)) == .low)
        #expect(rig.driver.values(setOn: .name("LATCH1")) == [false])
        #expect(rig.driver.values(setOn: .name("LATCH2")) == [false])
        #expect(rig.driver.values(setOn: .offset(2)) == [false])
    }

    @Test func releaseAllEndsAPulseInProgress() async throws {
        let rig = GPIOTestRig()
        let pulsing = AsyncStream<Void>.makeStream()
        // The pulse never ends by itself: only releaseAll can de-energise the latch here.
        let gpio = try rig.board(sleep: { _ in
            pulsing.continuation.yield()
            try await Task.sleep(for: .seconds(3_600))
        })
        let board: any LockBoard = gpio
        let unlock = Task { try await board.unlock(channel: 2, pulseMilliseconds: 500) }
        var started = pulsing.stream.makeAsyncIterator()
        await started.next()
        #expect(rig.driver.level(of: .name("LATCH2")) == .low, "active-low latch energised")

        await board.releaseAll()

        #expect(rig.driver.level(of: .name("LATCH1")) == .low)
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
        #expect(rig.driver.level(of: .offset(2)) == .low)
        unlock.cancel()
        _ = await unlock.result
        #expect(rig.driver.level(of: .name("LATCH2")) == .high)
    }

    @Test func releaseAllStillTriesEveryLatchWhenOneFails() async throws {
        let rig = GPIOTestRig()
        let board: any LockBoard = try rig.board()
        rig.driver.failSetValue(of: .name("LATCH1"), toActive: false, errno: EIO)

        await board.releaseAll()

        #expect(rig.driver.values(setOn: .name("LATCH2")) == [false])
        #expect(rig.driver.values(setOn: .offset(2)) == [false])
        #expect(rig.log.lines.contains { $0.level == .critical && $0.message.contains("LATCH1") })
    }
}
