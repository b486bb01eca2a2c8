@testable import LockerDrivers
import Testing

/// The debounce rules on their own, with exact timings: a level counts once it held for the window.
@Suite struct GPIODoorDebouncerTests {
    typealias Change = GPIODoorDebouncer.Change

    func debouncer(window: Duration = .milliseconds(20)) -> GPIODoorDebouncer {
        GPIODoorDebouncer(window: window, reported: [1: false, 2: false])
    }

    @Test func aLevelThatRevertsWithinTheWindowIsNeverReported() {
        var doors = debouncer()
        #expect(doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(100)).isEmpty)
        #expect(doors.edgeSeen(channel: 1, isOpen: false, at: .milliseconds(119)).isEmpty)
        #expect(!doors.hasCandidates)
        #expect(doors.quietPeriodElapsed().isEmpty)
    }

    @Test func aLevelThatHeldTheWholeWindowIsReportedByTheNextEdge() {
        var doors = debouncer()
        #expect(doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(100)).isEmpty)
        #expect(doors.edgeSeen(channel: 1, isOpen: false, at: .milliseconds(120)) == [Change(channel: 1, isOpen: true)])
        #expect(doors.hasCandidates)
        #expect(doors.quietPeriodElapsed() == [Change(channel: 1, isOpen: false)])
    }

    @Test func theQuietPeriodConfirmsTheLastLevelOnly() {
        var doors = debouncer()
        _ = doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(0))
        _ = doors.edgeSeen(channel: 1, isOpen: false, at: .milliseconds(3))
        _ = doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(7))
        #expect(doors.quietPeriodElapsed() == [Change(channel: 1, isOpen: true)])
        #expect(doors.reported[1] == true)
    }

    @Test func anEdgeThatRepeatsTheReportedLevelChangesNothing() {
        var doors = debouncer()
        #expect(doors.edgeSeen(channel: 2, isOpen: false, at: .milliseconds(50)).isEmpty)
        #expect(!doors.hasCandidates)
    }

    @Test func channelsSettleIndependentlyAndInTheOrderTheyChanged() {
        var doors = debouncer()
        _ = doors.edgeSeen(channel: 2, isOpen: true, at: .milliseconds(10))
        _ = doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(12))
        #expect(doors.quietPeriodElapsed() == [Change(channel: 2, isOpen: true), Change(channel: 1, isOpen: true)])
    }

    @Test func aZeroWindowReportsEveryEdge() {
        var doors = debouncer(window: .zero)
        _ = doors.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(1))
        #expect(doors.edgeSeen(channel: 1, isOpen: false, at: .milliseconds(1)) == [Change(channel: 1, isOpen: true)])
        #expect(doors.quietPeriodElapsed() == [Change(channel: 1, isOpen: false)])
    }

    @Test func levelsReadAtRestCorrectALostEdge() {
        var debouncer = GPIODoorDebouncer(window: .milliseconds(20), reported: [1: false, 2: false])
        #expect(debouncer.levelsRead([1: false, 2: true]) == [.init(channel: 2, isOpen: true)], "door 2 opened, its edge was lost")
        #expect(debouncer.levelsRead([1: false, 2: true]).isEmpty, "reported once")
        // While an edge is settling, a level reading is not trusted over it.
        _ = debouncer.edgeSeen(channel: 1, isOpen: true, at: .milliseconds(100))
        #expect(debouncer.levelsRead([1: true, 2: true]).isEmpty)
    }
}
