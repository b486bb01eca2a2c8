#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerTesting
import LockerHAL
import Testing

/// The door-sensor half of `GPIOLockBoard`: levels read with active-low and "open when" applied,
/// edges delivered as door changes after debounce, judged by the edges' own timestamps.
@Suite struct GPIOLockBoardDoorTests {
    typealias Edge = ScriptedGPIOLineDriver.Edge

    /// The board's event loop on its own task, and a way to stop it.
    struct Running {
        let task: Task<Void, any Error>
        let handler: GPIORecordingHandler

        func stop() async throws {
            task.cancel()
            try await task.value
        }
    }

    func start(_ board: GPIOLockBoard, on rig: GPIOTestRig) async -> Running {
        let handler = GPIORecordingHandler()
        let task = Task { try await board.run(delivering: handler) }
        await rig.driver.waitUntilIdle()
        return Running(task: task, handler: handler)
    }

    func door(_ channel: Int, open: Bool) -> HardwareEvent {
        .doorChanged(board: GPIOTestRig.boardAddress, channel: channel, isOpen: open)
    }

    // MARK: - readStatus

    @Test func readStatusMapsLevelsThroughActiveLowAndOpenWhen() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()

        rig.driver.setLevel(.name("DOOR1"), to: .high)  // active-high, open when active: open
        rig.driver.setLevel(.name("DOOR2"), to: .high)  // active-low: inactive, so closed
        #expect(try await board.readStatus() == LockBoardStatus(doorOpen: [true, false, false]))

        rig.driver.setLevel(.name("DOOR1"), to: .low)
        rig.driver.setLevel(.name("DOOR2"), to: .low)
        #expect(try await board.readStatus() == LockBoardStatus(doorOpen: [false, true, false]))
    }

    @Test func aSensorThatIsActiveWhileTheDoorIsClosedReadsInverted() async throws {
        let rig = GPIOTestRig()
        var configuration = GPIOTestRig.configuration
        configuration.channels[0].doorSensor = .init(line: .name("DOOR1"), activeLow: false, openWhen: .inactive)
        configuration.channels[1].doorSensor = .init(line: .name("DOOR2"), activeLow: true, openWhen: .inactive)
        let board = try rig.board(configuration: configuration)

        rig.driver.setLevel(.name("DOOR1"), to: .high)
        rig.driver.setLevel(.name("DOOR2"), to: .high)
        #expect(try await board.readStatus() == LockBoardStatus(doorOpen: [false, true, false]))
    }

    @Test func sensorsAreRequestedForBothEdgesWithTheirPolarity() throws {
        let rig = GPIOTestRig()
        _ = try rig.board()
        #expect(rig.driver.calls.filter { if case .requestBothEdgeEvents = $0 { true } else { false } } == [
            .requestBothEdgeEvents(offset: 3, activeLow: false, consumer: "lockerd"),
            .requestBothEdgeEvents(offset: 4, activeLow: true, consumer: "lockerd"),
        ])
    }

    // MARK: - Edges and debounce

    @Test func aBounceWithinTheDebounceWindowIsNotReported() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)

        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(1000)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(1005))])
        await rig.driver.waitUntilIdle()
        // Several bounces, the last one 19 ms after the one before: still a bounce.
        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(2000)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(2003)),
                           Edge(.name("DOOR1"), to: .high, at: .milliseconds(2010)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(2029))])
        await rig.driver.waitUntilIdle()

        #expect(running.handler.events.isEmpty)
        try await running.stop()
    }

    @Test func aStableChangeIsDeliveredOnceAfterItsBouncesSettle() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)

        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(1000)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(1004)),
                           Edge(.name("DOOR1"), to: .high, at: .milliseconds(1009))])
        await rig.driver.waitUntilIdle()
        #expect(running.handler.events == [door(1, open: true)])

        rig.driver.inject([Edge(.name("DOOR1"), to: .low, at: .milliseconds(5000))])
        await rig.driver.waitUntilIdle()
        #expect(running.handler.events == [door(1, open: true), door(1, open: false)])
        try await running.stop()
    }

    @Test func theDebounceJudgesByTimestampsNotByWhenEdgesAreRead() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)

        // Read in one batch, long after they happened: the open held 20 ms, so it counts; the
        // close that follows is a change of its own.
        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(1000)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(1020))])
        await rig.driver.waitUntilIdle()

        #expect(running.handler.events == [door(1, open: true), door(1, open: false)])
        try await running.stop()
    }

    @Test func anEdgeOnAnotherLineProvesALevelHeld() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)

        // DOOR2 is active-low: low means active, and channel 2 opens when active.
        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(1000)),
                           Edge(.name("DOOR2"), to: .low, at: .milliseconds(1030)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(1031))])
        await rig.driver.waitUntilIdle()

        // Channel 1's open held 30 ms, which DOOR2's edge proves; channel 2's open and channel 1's
        // close are then confirmed by the quiet period, in the order they happened.
        #expect(running.handler.events == [door(1, open: true), door(2, open: true), door(1, open: false)])
        try await running.stop()
    }

    @Test func theLoopWaitsTheDebounceWindowOnlyWhileAChangeSettles() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)
        let before = rig.driver.waitTimeouts.count

        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(1000))])
        await rig.driver.waitUntilIdle()

        // The wait that got the edge was an idle one; the next waits out the 20 ms window (and is
        // answered by the quiet period); after the change is delivered, idle again.
        let idle = rig.driver.waitTimeouts[before - 1]
        #expect(idle > .milliseconds(20))
        #expect(Array(rig.driver.waitTimeouts.dropFirst(before)) == [.milliseconds(20), idle])
        #expect(running.handler.events == [door(1, open: true)])
        try await running.stop()
    }

    @Test func edgesBeforeTheStartReadingAreNotReplayed() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        // Opened and closed again before the loop started: the reading at start already says
        // "closed", and the kernel's queued edges are older than it.
        rig.driver.inject([Edge(.name("DOOR1"), to: .high, at: .milliseconds(100)),
                           Edge(.name("DOOR1"), to: .low, at: .milliseconds(900))])
        rig.driver.setEventClock(.seconds(1))

        let running = await start(board, on: rig)

        #expect(running.handler.events.isEmpty)
        try await running.stop()
    }

    @Test func aChangeBetweenReadStatusAndTheLoopIsDeliveredAtStart() async throws {
        let rig = GPIOTestRig()
        let board = try rig.board()
        #expect(try await board.readStatus().doorOpen == [false, false, false])
        rig.driver.setLevel(.name("DOOR2"), to: .low)  // channel 2 opened meanwhile

        let running = await start(board, on: rig)

        #expect(running.handler.events == [door(2, open: true)])
        try await running.stop()
    }

    @Test func aDriverFailureEndsTheLoopWithTheError() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)

        rig.driver.failNextWait(errno: ENODEV)

        let error = await #expect(throws: HardwareError.self) { try await running.task.value }
        #expect(error.map { "\($0)" }?.contains("waiting for edge events on gpiochip0 failed: No such device (ENODEV)") == true)
    }

    @Test func cancellingTheLoopEndsItQuietly() async throws {
        let rig = GPIOTestRig()
        let running = await start(try rig.board(), on: rig)
        try await running.stop()
        #expect(running.handler.events.isEmpty)
    }

    @Test func aBoardWithoutDoorSensorsHasNothingToWatch() async throws {
        let rig = GPIOTestRig()
        let configuration = GPIOLockBoardConfiguration(chip: "gpiochip0", channels: [.init(latch: .name("LATCH1"))])
        let board = try rig.board(configuration: configuration)

        try await board.run(delivering: GPIORecordingHandler())

        #expect(try await board.readStatus() == LockBoardStatus(doorOpen: [false]))
        #expect(rig.driver.waitTimeouts.isEmpty)
    }
}
