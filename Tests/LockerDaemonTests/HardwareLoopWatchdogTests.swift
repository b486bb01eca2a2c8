import Foundation
import LockerDaemon
import LockerDrivers
import LockerHAL
import Synchronization
import Testing
import LockerSystem

/// Each board driver's loop beats the watchdog after every round, whether its board answered or
/// not: a wedged loop (a call that never returns) stops the pings, a silent board that keeps being
/// polled does not (it is an alarm for a person, and a restart would not bring it back).
@Suite struct HardwareLoopWatchdogTests {
    /// Time for the heartbeats, moved only by the test.
    final class TestClock: Sendable {
        private let current = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { current.withLock { $0 } }
        func advance(by duration: Duration) { current.withLock { $0 += duration } }
    }

    /// A board that hears nothing: its loop comes round once each time the test calls `poll`, and
    /// delivers no event.
    final class SilentBoard: LockBoard, HeartbeatingEventSource {
        let address: Int
        let rounds = Atomic<Int>(0)
        private let requests: AsyncStream<Void>
        private let requester: AsyncStream<Void>.Continuation

        init(address: Int) {
            self.address = address
            (requests, requester) = AsyncStream<Void>.makeStream()
        }

        var channelCount: Int { 2 }
        var hasItemSensors: Bool { false }
        func unlock(channel: Int, pulseMilliseconds: Int) async throws {}
        func readStatus() async throws -> LockBoardStatus { LockBoardStatus(doorOpen: [false, false]) }
        func releaseAll() async {}
        func poll() { requester.yield() }

        func run(delivering handler: any HardwareEventHandler) async throws {
            try await run(delivering: handler, heartbeat: {})
        }

        func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
            for await _ in requests {
                heartbeat()
                rounds.add(1, ordering: .relaxed)
            }
        }
    }

    /// A board whose loop makes one round and then waits forever in a call that never returns
    /// (until its task is cancelled, so the test can end).
    final class WedgedBoard: LockBoard, HeartbeatingEventSource {
        let address: Int
        let wedged = Atomic<Bool>(false)
        private let never = AsyncStream<Void>.makeStream()

        init(address: Int) { self.address = address }

        var channelCount: Int { 2 }
        var hasItemSensors: Bool { false }
        func unlock(channel: Int, pulseMilliseconds: Int) async throws {}
        func readStatus() async throws -> LockBoardStatus { LockBoardStatus(doorOpen: [false, false]) }
        func releaseAll() async {}

        func run(delivering handler: any HardwareEventHandler) async throws {
            try await run(delivering: handler, heartbeat: {})
        }

        func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
            heartbeat()
            wedged.store(true, ordering: .relaxed)
            for await _ in never.stream {}
        }
    }

    /// A keypad: waits for a person, so it cannot beat and is not watched.
    struct Keypad: HardwareEventSource {
        func run(delivering handler: any HardwareEventHandler) async throws {}
    }

    final class Recorder: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
    }

    /// Yields until `condition` holds; the loops under test run on the cooperative pool, so no
    /// clock is involved, only a bound on the number of tries.
    func settle(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<100_000 {
            if condition() { return true }
            await Task.yield()
        }
        return condition()
    }

    @Test func aWedgedDriverLoopStopsThePingsWhileASilentBoardKeepsThemGoing() async throws {
        let clock = TestClock()
        let watchdog = ProgressWatchdog()
        let silent = SilentBoard(address: 1)
        let wedged = WedgedBoard(address: 2)
        let silentLoop = try #require(ServiceSupervision.watchedLoopName(of: silent))
        let wedgedLoop = try #require(ServiceSupervision.watchedLoopName(of: wedged))
        #expect(silentLoop == "board 1 event loop")
        #expect(wedgedLoop == "board 2 event loop")
        for loop in [silentLoop, wedgedLoop] {
            watchdog.register(loop, allowedStaleness: .seconds(5), now: clock.now)
        }
        let recorder = Recorder()
        let loops = [
            Task { await EventSourceSupervisor.run(silent, delivering: recorder, heartbeat: watchdog.heartbeat(for: silentLoop, now: { clock.now })) },
            Task { await EventSourceSupervisor.run(wedged, delivering: recorder, heartbeat: watchdog.heartbeat(for: wedgedLoop, now: { clock.now })) },
        ]
        #expect(await settle { wedged.wedged.load(ordering: .relaxed) })

        for second in 1...20 {
            clock.advance(by: .seconds(1))
            silent.poll()
            #expect(await settle { silent.rounds.load(ordering: .relaxed) == second }, "the silent board's round \(second)")
            if second <= 5 {
                #expect(watchdog.shouldPing(now: clock.now), "at \(second) s the wedged loop is still within its allowance")
            } else {
                #expect(!watchdog.shouldPing(now: clock.now), "at \(second) s")
                #expect(watchdog.stale(now: clock.now) == [wedgedLoop], "at \(second) s only the wedged loop is stale")
            }
        }
        #expect(recorder.events.withLock { $0 }.isEmpty, "a silent board reports nothing, and no loop failed")
        for loop in loops { loop.cancel() }
        for loop in loops { await loop.value }
    }

    @Test func aSilentBoardAloneNeverStopsThePings() async throws {
        let clock = TestClock()
        let watchdog = ProgressWatchdog()
        let silent = SilentBoard(address: 3)
        let loop = try #require(ServiceSupervision.watchedLoopName(of: silent))
        watchdog.register(loop, allowedStaleness: .seconds(2), now: clock.now)
        let task = Task { await EventSourceSupervisor.run(silent, delivering: Recorder(), heartbeat: watchdog.heartbeat(for: loop, now: { clock.now })) }
        for round in 1...50 {
            clock.advance(by: .seconds(1))
            silent.poll()
            #expect(await settle { silent.rounds.load(ordering: .relaxed) == round })
            #expect(watchdog.shouldPing(now: clock.now), "after \(round) s of silence")
        }
        task.cancel()
        await task.value
    }

    @Test func onlyBoardLoopsThatComeRoundOnTheirOwnAreWatched() {
        #expect(ServiceSupervision.watchedLoopName(of: Keypad()) == nil)
    }

    /// The real driver of our own protocol, polling a pseudo-terminal where nothing answers: each
    /// poll times out, the board is reported lost once, and the loop goes on beating.
    @Test func aRealDriverBeatsOnEveryPollOfABoardThatDoesNotAnswer() async throws {
        let terminal = try PseudoTerminal()
        let bus = SerialBus(SerialPortConfiguration(path: terminal.subordinatePath, baud: 115_200),
                            timing: SerialBus.Timing(replyTimeoutMilliseconds: 20, retries: 0))
        let board = OwnProtocolLockBoard(address: 5, channelCount: 4, hasItemSensors: false, bus: bus, pollIntervalMilliseconds: 10)
        #expect(ServiceSupervision.watchedLoopName(of: board) == "board 5 event loop")
        let beats = Atomic<Int>(0)
        let recorder = Recorder()
        let task = Task {
            await EventSourceSupervisor.run(board, delivering: recorder, heartbeat: { beats.add(1, ordering: .relaxed) })
        }
        // Real time here (a real serial driver's timeouts): a generous bound, left early. Alone this
        // takes 0.2 s; in the full suite on two cores, other suites' blocking work once held it to
        // 4 polls in 30 s, so the bound is far above any real wedge's detection.
        let deadline = ContinuousClock.now + .seconds(120)
        while beats.load(ordering: .relaxed) < 6 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        task.cancel()
        await task.value
        await bus.close()
        #expect(beats.load(ordering: .relaxed) >= 6)
        let events = recorder.events.withLock { $0 }
        #expect(events.count == 1, "lost once, not once per poll: \(events)")
        if case .boardLost(board: 5, _)? = events.first {} else { Issue.record("expected board 5 lost, got \(events)") }
    }
}
