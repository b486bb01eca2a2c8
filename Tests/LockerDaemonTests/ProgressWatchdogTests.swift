import LockerDaemon
import Testing

/// systemd's watchdog may be told "alive" only while every watched loop makes progress; a stuck
/// one silences the pings and is named. Time is injected: offsets from one instant, no sleeping.
@Suite struct ProgressWatchdogTests {
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    func watchdogWithThreeLoops() -> ProgressWatchdog {
        let watchdog = ProgressWatchdog()
        watchdog.register("main loop", allowedStaleness: .seconds(30), now: at(0))
        watchdog.register("store", allowedStaleness: .seconds(30), now: at(0))
        // Polls less often, so it may be quiet for longer.
        watchdog.register("hardware", allowedStaleness: .seconds(60), now: at(0))
        return watchdog
    }

    @Test func pingsWhileEveryLoopKeepsBeating() {
        let watchdog = watchdogWithThreeLoops()
        for second in stride(from: 0, through: 600, by: 10) {
            watchdog.beat("main loop", now: at(second))
            watchdog.beat("store", now: at(second))
            if second % 50 == 0 { watchdog.beat("hardware", now: at(second)) }
            #expect(watchdog.shouldPing(now: at(second + 5)), "at \(second + 5) s")
            #expect(watchdog.stale(now: at(second + 5)).isEmpty)
        }
    }

    @Test func aStuckLoopStopsThePingsAndIsNamed() {
        let watchdog = watchdogWithThreeLoops()
        for second in stride(from: 0, through: 100, by: 10) {
            watchdog.beat("main loop", now: at(second))
            watchdog.beat("hardware", now: at(second))
            // The store last made progress at 20 s.
            if second <= 20 { watchdog.beat("store", now: at(second)) }
        }
        // 30 s after its last beat it is still within its allowance; a moment later it is not.
        #expect(watchdog.shouldPing(now: at(50)))
        #expect(!watchdog.shouldPing(now: at(51)))
        #expect(watchdog.stale(now: at(100)) == ["store"])
        #expect(watchdog.timeSinceLastBeat("store", now: at(100)) == .seconds(80))
        // The store recovers: pings resume.
        watchdog.beat("store", now: at(101))
        #expect(watchdog.shouldPing(now: at(101)))
        #expect(watchdog.stale(now: at(101)).isEmpty)
    }

    @Test func everyStuckLoopIsNamedInOrder() {
        let watchdog = watchdogWithThreeLoops()
        watchdog.beat("hardware", now: at(40))
        #expect(watchdog.stale(now: at(31)) == ["main loop", "store"])
        #expect(watchdog.stale(now: at(101)) == ["hardware", "main loop", "store"])
        #expect(!watchdog.shouldPing(now: at(31)))
    }

    @Test func aLoopThatNeverBeatsIsStaleFromItsRegistration() {
        let watchdog = ProgressWatchdog()
        watchdog.register("uplink", allowedStaleness: .seconds(10), now: at(100))
        #expect(watchdog.shouldPing(now: at(110)))
        #expect(watchdog.stale(now: at(111)) == ["uplink"])
    }

    @Test func unknownBeatsAreRefusedAndUnregisteredLoopsNoLongerCount() {
        let watchdog = watchdogWithThreeLoops()
        #expect(!watchdog.beat("stroe", now: at(1)), "a misspelt loop is not added")
        #expect(watchdog.registeredLoops == ["hardware", "main loop", "store"])
        watchdog.beat("main loop", now: at(100))
        watchdog.beat("hardware", now: at(100))
        #expect(watchdog.stale(now: at(100)) == ["store"])
        watchdog.unregister("store")
        #expect(watchdog.shouldPing(now: at(100)))
        #expect(watchdog.timeSinceLastBeat("store", now: at(100)) == nil)
    }

    @Test func aLateReportedOlderBeatDoesNotMoveTheLastBeatBack() {
        let watchdog = ProgressWatchdog()
        watchdog.register("store", allowedStaleness: .seconds(30), now: at(0))
        watchdog.beat("store", now: at(50))
        watchdog.beat("store", now: at(10))
        #expect(watchdog.shouldPing(now: at(75)))
    }

    @Test func withNothingRegisteredBeingAliveIsEnough() {
        #expect(ProgressWatchdog().shouldPing(now: at(0)))
        #expect(ProgressWatchdog().stale(now: at(0)).isEmpty)
    }
}
