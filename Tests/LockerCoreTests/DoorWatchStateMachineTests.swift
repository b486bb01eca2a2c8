import Foundation
import LockerCore
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)
private let t1 = t0.addingTimeInterval(1)
/// openConfirmationSeconds 5, reminderSeconds 60, alarmSeconds 180.
private let policy = DoorWatchStateMachine.Policy()

/// The watcher in each phase a test may start from; every change happened at `t0`.
enum WatchStart: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case closed
    case unlocking
    case openAsCommanded
    case openForced
    case openReminded
    case openAlarmed

    var testDescription: String { rawValue }

    func make() -> DoorWatchStateMachine {
        var watch = DoorWatchStateMachine()
        switch self {
        case .closed:
            break
        case .unlocking:
            _ = watch.unlockCommanded(now: t0)
        case .openAsCommanded:
            _ = watch.unlockCommanded(now: t0)
            _ = watch.sensorChanged(isOpen: true, now: t0)
        case .openForced:
            _ = watch.sensorChanged(isOpen: true, now: t0)
        case .openReminded:
            watch = WatchStart.openAsCommanded.make()
            _ = watch.tick(now: t0.addingTimeInterval(policy.reminderSeconds), policy: policy)
        case .openAlarmed:
            watch = WatchStart.openReminded.make()
            _ = watch.tick(now: t0.addingTimeInterval(policy.alarmSeconds), policy: policy)
        }
        return watch
    }

    var phase: DoorWatchStateMachine.Phase {
        switch self {
        case .closed: .closed
        case .unlocking: .unlocking(since: t0)
        case .openAsCommanded: .open(since: t0, commanded: true, reminded: false, alarmed: false)
        case .openForced: .open(since: t0, commanded: false, reminded: false, alarmed: false)
        case .openReminded: .open(since: t0, commanded: true, reminded: true, alarmed: false)
        case .openAlarmed: .open(since: t0, commanded: true, reminded: true, alarmed: true)
        }
    }
}

enum WatchInput: Sendable, CustomTestStringConvertible {
    case unlock(at: Date)
    case sensor(isOpen: Bool, at: Date)
    /// A tick `seconds` after `t0`.
    case tick(after: Double)

    var testDescription: String {
        switch self {
        case .unlock(let at): "unlock at t0+\(at.timeIntervalSince(t0))"
        case .sensor(let isOpen, let at): "sensor \(isOpen ? "open" : "closed") at t0+\(at.timeIntervalSince(t0))"
        case .tick(let seconds): "tick at t0+\(seconds)"
        }
    }

    func apply(to watch: inout DoorWatchStateMachine) -> [DoorWatchStateMachine.Action] {
        switch self {
        case .unlock(let at): watch.unlockCommanded(now: at)
        case .sensor(let isOpen, let at): watch.sensorChanged(isOpen: isOpen, now: at)
        case .tick(let seconds): watch.tick(now: t0.addingTimeInterval(seconds), policy: policy)
        }
    }
}

@Suite("Door watch state machine")
struct DoorWatchStateMachineTests {
    @Test(arguments: WatchStart.allCases)
    func startingPhasesAreTheOnesTheScriptsClaim(start: WatchStart) {
        let watch = start.make()
        #expect(watch.phase == start.phase)
        #expect(watch.isOpen == (start != .closed && start != .unlocking))
    }

    struct Transition: Sendable, CustomTestStringConvertible {
        var start: WatchStart
        var input: WatchInput
        var phase: DoorWatchStateMachine.Phase
        var actions: [DoorWatchStateMachine.Action]
        var testDescription: String { "\(start.testDescription), \(input.testDescription)" }
    }

    /// Every phase against every input: unlock, sensor open, sensor closed, and ticks just before
    /// and at the phase's deadline.
    @Test(arguments: [
        // closed
        Transition(start: .closed, input: .unlock(at: t1), phase: .unlocking(since: t1), actions: []),
        Transition(start: .closed, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t1, commanded: false, reminded: false, alarmed: false), actions: [.forcedOpen]),
        Transition(start: .closed, input: .sensor(isOpen: false, at: t1), phase: .closed, actions: []),
        Transition(start: .closed, input: .tick(after: 100_000), phase: .closed, actions: []),
        // unlocking
        Transition(start: .unlocking, input: .unlock(at: t1), phase: .unlocking(since: t1), actions: []),
        Transition(start: .unlocking, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t1, commanded: true, reminded: false, alarmed: false),
                   actions: [.openedAsCommanded]),
        Transition(start: .unlocking, input: .sensor(isOpen: false, at: t1), phase: .unlocking(since: t0), actions: []),
        Transition(start: .unlocking, input: .tick(after: 4.9), phase: .unlocking(since: t0), actions: []),
        Transition(start: .unlocking, input: .tick(after: 5), phase: .closed, actions: [.latchDidNotOpen]),
        Transition(start: .unlocking, input: .tick(after: 500), phase: .closed, actions: [.latchDidNotOpen]),
        // open as commanded
        Transition(start: .openAsCommanded, input: .unlock(at: t1),
                   phase: .open(since: t0, commanded: true, reminded: false, alarmed: false), actions: []),
        Transition(start: .openAsCommanded, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t0, commanded: true, reminded: false, alarmed: false), actions: []),
        Transition(start: .openAsCommanded, input: .sensor(isOpen: false, at: t1), phase: .closed,
                   actions: [.closed(afterAlarm: false)]),
        Transition(start: .openAsCommanded, input: .tick(after: 59.9),
                   phase: .open(since: t0, commanded: true, reminded: false, alarmed: false), actions: []),
        Transition(start: .openAsCommanded, input: .tick(after: 60),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: false), actions: [.remindToClose]),
        // A late tick that missed the reminder raises the alarm alone (and never reminds afterwards).
        Transition(start: .openAsCommanded, input: .tick(after: 181.5),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: true),
                   actions: [.leftOpenAlarm(openSeconds: 181)]),
        // open without a command
        Transition(start: .openForced, input: .unlock(at: t1),
                   phase: .open(since: t0, commanded: true, reminded: false, alarmed: false), actions: []),
        Transition(start: .openForced, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t0, commanded: false, reminded: false, alarmed: false), actions: []),
        Transition(start: .openForced, input: .sensor(isOpen: false, at: t1), phase: .closed,
                   actions: [.closed(afterAlarm: false)]),
        Transition(start: .openForced, input: .tick(after: 60),
                   phase: .open(since: t0, commanded: false, reminded: true, alarmed: false), actions: [.remindToClose]),
        Transition(start: .openForced, input: .tick(after: 180),
                   phase: .open(since: t0, commanded: false, reminded: true, alarmed: true),
                   actions: [.leftOpenAlarm(openSeconds: 180)]),
        // open, reminded
        Transition(start: .openReminded, input: .unlock(at: t1),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: false), actions: []),
        Transition(start: .openReminded, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: false), actions: []),
        Transition(start: .openReminded, input: .sensor(isOpen: false, at: t1), phase: .closed,
                   actions: [.closed(afterAlarm: false)]),
        Transition(start: .openReminded, input: .tick(after: 179.9),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: false), actions: []),
        Transition(start: .openReminded, input: .tick(after: 180),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: true),
                   actions: [.leftOpenAlarm(openSeconds: 180)]),
        // open, alarmed
        Transition(start: .openAlarmed, input: .unlock(at: t1),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: true), actions: []),
        Transition(start: .openAlarmed, input: .sensor(isOpen: true, at: t1),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: true), actions: []),
        Transition(start: .openAlarmed, input: .sensor(isOpen: false, at: t1), phase: .closed,
                   actions: [.closed(afterAlarm: true)]),
        Transition(start: .openAlarmed, input: .tick(after: 100_000),
                   phase: .open(since: t0, commanded: true, reminded: true, alarmed: true), actions: []),
    ])
    func transition(_ transition: Transition) {
        var watch = transition.start.make()
        #expect(transition.input.apply(to: &watch) == transition.actions)
        #expect(watch.phase == transition.phase)
    }

    @Test(arguments: [
        (WatchStart.closed, Date?.none),
        (.unlocking, t0.addingTimeInterval(5)),
        (.openAsCommanded, t0.addingTimeInterval(60)),
        (.openForced, t0.addingTimeInterval(60)),
        (.openReminded, t0.addingTimeInterval(180)),
        (.openAlarmed, nil),
    ])
    func nextDeadline(start: WatchStart, deadline: Date?) {
        let watch = start.make()
        #expect(watch.nextDeadline(policy: policy) == deadline)
    }

    @Test(arguments: WatchStart.allCases)
    func aTickAtTheNextDeadlineActsAndOneJustBeforeDoesNot(start: WatchStart) {
        var watch = start.make()
        guard let deadline = watch.nextDeadline(policy: policy) else {
            #expect(watch.tick(now: t0.addingTimeInterval(1_000_000), policy: policy).isEmpty)
            return
        }
        #expect(watch.tick(now: deadline.addingTimeInterval(-0.001), policy: policy).isEmpty)
        #expect(watch.phase == start.phase)
        #expect(!watch.tick(now: deadline, policy: policy).isEmpty)
        #expect(watch.phase != start.phase)
    }

    @Test func aWholeLeftOpenEpisodeWithACustomPolicy() {
        let custom = DoorWatchStateMachine.Policy(openConfirmationSeconds: 2, reminderSeconds: 10, alarmSeconds: 30)
        var watch = DoorWatchStateMachine()
        #expect(watch.nextDeadline(policy: custom) == nil)

        #expect(watch.unlockCommanded(now: t0).isEmpty)
        #expect(watch.nextDeadline(policy: custom) == t0.addingTimeInterval(2))

        let opened = t0.addingTimeInterval(1)
        #expect(watch.sensorChanged(isOpen: true, now: opened) == [.openedAsCommanded])
        #expect(watch.isOpen)
        #expect(watch.tick(now: opened.addingTimeInterval(5), policy: custom).isEmpty, "past the unlock deadline: no latch failure")
        #expect(watch.nextDeadline(policy: custom) == opened.addingTimeInterval(10))

        #expect(watch.tick(now: opened.addingTimeInterval(10), policy: custom) == [.remindToClose])
        #expect(watch.tick(now: opened.addingTimeInterval(11), policy: custom).isEmpty, "the reminder is given once")
        #expect(watch.nextDeadline(policy: custom) == opened.addingTimeInterval(30))

        #expect(watch.tick(now: opened.addingTimeInterval(30.7), policy: custom) == [.leftOpenAlarm(openSeconds: 30)])
        #expect(watch.tick(now: opened.addingTimeInterval(300), policy: custom).isEmpty, "the alarm is raised once")
        #expect(watch.nextDeadline(policy: custom) == nil)

        #expect(watch.sensorChanged(isOpen: false, now: opened.addingTimeInterval(400)) == [.closed(afterAlarm: true)])
        #expect(watch.phase == .closed)
        #expect(watch.nextDeadline(policy: custom) == nil)

        // The next episode starts fresh: closing after a quick pickup is not "after an alarm".
        _ = watch.unlockCommanded(now: t0.addingTimeInterval(1_000))
        _ = watch.sensorChanged(isOpen: true, now: t0.addingTimeInterval(1_001))
        #expect(watch.sensorChanged(isOpen: false, now: t0.addingTimeInterval(1_020)) == [.closed(afterAlarm: false)])
    }

    @Test func aLatchThatDidNotOpenLeavesTheDoorClosedAndALaterOpeningIsForced() {
        var watch = DoorWatchStateMachine()
        _ = watch.unlockCommanded(now: t0)
        #expect(watch.tick(now: t0.addingTimeInterval(5), policy: policy) == [.latchDidNotOpen])
        #expect(watch.phase == .closed)
        #expect(watch.sensorChanged(isOpen: true, now: t0.addingTimeInterval(8)) == [.forcedOpen])
    }

    @Test func startingWithTheDoorOpenCountsAsCommanded() {
        let watch = DoorWatchStateMachine(isOpen: true, now: t0)
        #expect(watch.phase == .open(since: t0, commanded: true, reminded: false, alarmed: false))
        #expect(watch.isOpen)
        #expect(watch.nextDeadline(policy: policy) == t0.addingTimeInterval(60))
        #expect(DoorWatchStateMachine(isOpen: false, now: t0).phase == .closed)
    }
}
