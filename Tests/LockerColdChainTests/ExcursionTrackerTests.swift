import Foundation
import LockerColdChain
import Testing

@Suite struct ExcursionTrackerTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)
    /// Chilled 2–8 °C, grace 15 min, door grace 20 min.
    let settings = ExcursionTracker.Settings(thermostat: .chilled)

    /// Feeds one reading a minute from `celsiusByMinute`, the door open during `doorOpenMinutes`,
    /// and returns the events with the minute they came at.
    func run(
        _ tracker: inout ExcursionTracker,
        celsiusByMinute: [Double],
        doorOpenMinutes: Range<Int> = 0..<0
    ) -> [(minute: Int, event: ExcursionEvent)] {
        var events: [(Int, ExcursionEvent)] = []
        for (minute, celsius) in celsiusByMinute.enumerated() {
            let now = start + Double(minute) * 60
            for event in tracker.observe(celsius: celsius, doorOpen: doorOpenMinutes.contains(minute), now: now) {
                events.append((minute, event))
            }
        }
        return events
    }

    @Test func aWarmUpStartsAnExcursionWhenTheGraceRunsOut() throws {
        var tracker = ExcursionTracker(settings: settings)
        // In band for 10 minutes, out from minute 10 (peak 11.5 at minute 30), back at minute 40.
        let warmUp = (0..<10).map { _ in 5.0 } + (10..<40).map { 8.5 + 3 * sin(Double($0 - 10) / 40 * .pi) } + [7.5, 6.0]
        let events = run(&tracker, celsiusByMinute: warmUp)
        try #require(events.count == 2)

        #expect(events[0].minute == 25)
        guard case .started(let started) = events[0].event else { Issue.record("expected started"); return }
        #expect(started.start == start + 600)
        #expect(started.end == nil)
        #expect(started.direction == .tooWarm)

        #expect(events[1].minute == 40)
        guard case .ended(let ended) = events[1].event else { Issue.record("expected ended"); return }
        #expect(ended.start == start + 600)
        #expect(ended.end == start + 2400)
        #expect(ended.durationSeconds == 1800)
        #expect(ended.peakCelsius == warmUp.max())
        #expect(abs(ended.peakCelsius - 11.5) < 0.01)
        #expect(!tracker.isInExcursion)
        #expect(tracker.current == nil)
    }

    @Test func theExcursionIsVisibleWhileItLasts() {
        var tracker = ExcursionTracker(settings: settings)
        _ = run(&tracker, celsiusByMinute: Array(repeating: 9, count: 14))
        #expect(!tracker.isInExcursion)
        #expect(tracker.outOfBandSince == start)
        _ = tracker.observe(celsius: 9.5, doorOpen: false, now: start + 900)
        #expect(tracker.isInExcursion)
        #expect(tracker.current == Excursion(start: start, peakCelsius: 9.5, direction: .tooWarm))
    }

    @Test func aShortBlipIsNoExcursion() {
        var tracker = ExcursionTracker(settings: settings)
        let blip = [5.0, 9, 12, 10, 9] + Array(repeating: 8.5, count: 9) + [8, 5]
        #expect(run(&tracker, celsiusByMinute: blip).isEmpty)
        #expect(tracker.outOfBandSince == nil)
    }

    @Test func anOpenDoorExtendsTheGrace() {
        var tracker = ExcursionTracker(settings: settings)
        // Door open minutes 0–4, out of band from minute 2 to minute 23: 21 minutes, beyond the
        // ordinary grace but back within 20 minutes of the door closing (last seen open at
        // minute 4).
        let loading = [5.0, 7] + Array(repeating: 10, count: 21) + [6]
        #expect(run(&tracker, celsiusByMinute: loading, doorOpenMinutes: 0..<5).isEmpty)
        #expect(tracker.doorLastSeenOpenAt == start + 240)
    }

    @Test func theDoorGraceRunsOutTwentyMinutesAfterTheDoorCloses() throws {
        var tracker = ExcursionTracker(settings: settings)
        let loading = [5.0, 7] + Array(repeating: 10, count: 30) + [6]
        let events = run(&tracker, celsiusByMinute: loading, doorOpenMinutes: 0..<5)
        try #require(events.count == 2)
        #expect(events[0].minute == 24)
        #expect(events[0].event == .started(Excursion(start: start + 120, peakCelsius: 10, direction: .tooWarm)))
        #expect(events[1].event == .ended(Excursion(start: start + 120, end: start + 32 * 60, peakCelsius: 10, direction: .tooWarm)))
    }

    @Test func aDoorLeftOpenDoesNotHideAnExcursionForever() throws {
        var tracker = ExcursionTracker(settings: settings)
        let warming = [5.0] + Array(repeating: 12, count: 60)
        let events = run(&tracker, celsiusByMinute: warming, doorOpenMinutes: 0..<61)
        try #require(events.count == 1)
        // Grace plus door grace: 35 minutes after leaving the band at minute 1.
        #expect(events[0].minute == 36)
        #expect(tracker.current?.start == start + 60)
    }

    @Test func tooColdIsAnExcursionToo() throws {
        var tracker = ExcursionTracker(settings: settings)
        let freezing = [5.0] + (1...20).map { 2 - Double($0) / 10 } + [1.5, 3]
        let events = run(&tracker, celsiusByMinute: freezing)
        try #require(events.count == 2)
        #expect(events[0].minute == 16)
        guard case .ended(let ended) = events[1].event else { Issue.record("expected ended"); return }
        #expect(ended.direction == .tooCold)
        #expect(ended.peakCelsius == 0)
        #expect(ended.durationSeconds == 1260)
    }

    @Test func leavingByTheOtherSideStartsANewSpell() throws {
        var tracker = ExcursionTracker(settings: settings)
        let swing = [5.0] + Array(repeating: 9, count: 20) + Array(repeating: 1, count: 20) + [5]
        let events = run(&tracker, celsiusByMinute: swing)
        try #require(events.count == 4)
        #expect(events[1].minute == 21)
        #expect(events[1].event == .ended(Excursion(start: start + 60, end: start + 21 * 60, peakCelsius: 9, direction: .tooWarm)))
        #expect(events[2].event == .started(Excursion(start: start + 21 * 60, peakCelsius: 1, direction: .tooCold)))
        #expect(events[3].minute == 41)
    }

    @Test func aProbeFaultEndsNothingAndTheGraceKeepsRunning() {
        var tracker = ExcursionTracker(settings: settings)
        #expect(tracker.observe(celsius: 10, doorOpen: false, now: start).isEmpty)
        #expect(tracker.observeProbeFault(now: start + 600).isEmpty)
        #expect(tracker.observeProbeFault(now: start + 900) == [.started(Excursion(start: start, peakCelsius: 10, direction: .tooWarm))])
        #expect(tracker.observeProbeFault(now: start + 1800).isEmpty)
        #expect(tracker.isInExcursion)
        #expect(tracker.observe(celsius: 7, doorOpen: false, now: start + 1900).count == 1)
        #expect(!tracker.isInExcursion)
    }

    @Test func settingsAreValidated() {
        #expect(settings.problems.isEmpty)
        let bad = ExcursionTracker.Settings(band: TemperatureBand(lowCelsius: 5, highCelsius: 5), graceSeconds: -1)
        #expect(bad.problems.count == 2)
    }
}
