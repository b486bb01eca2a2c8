public import Foundation

/// Watches one door: did it open when the latch was pulsed, was it opened without a command, has it
/// been left open too long.
///
/// Pure; the daemon keeps one per compartment, feeds it latch commands, sensor changes and ticks,
/// and carries out the actions (commit an alarm event, quarantine, remind on the display).
public struct DoorWatchStateMachine: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        /// After a pulse the sensor must see the door open within this time, or the latch failed.
        public var openConfirmationSeconds: Double
        /// A door open this long gets a reminder on the display and the buzzer.
        public var reminderSeconds: Double
        /// ...and this long an alarm event.
        public var alarmSeconds: Double

        public init(openConfirmationSeconds: Double = 5, reminderSeconds: Double = 60, alarmSeconds: Double = 180) {
            self.openConfirmationSeconds = openConfirmationSeconds
            self.reminderSeconds = reminderSeconds
            self.alarmSeconds = alarmSeconds
        }
    }

    public enum Phase: Sendable, Equatable {
        case closed
        /// Latch pulsed at `since`; waiting for the sensor to see the door open.
        case unlocking(since: Date)
        case open(since: Date, commanded: Bool, reminded: Bool, alarmed: Bool)
    }

    public enum Action: Sendable, Equatable {
        /// The door opened after a pulse, as intended.
        case openedAsCommanded
        /// Opened with no pulse: forced, or a latch that does not hold.
        case forcedOpen
        /// The pulse did not open the door (jammed latch, missing latch, dead board channel).
        case latchDidNotOpen
        case remindToClose
        case leftOpenAlarm(openSeconds: Int)
        /// The door closed; `afterAlarm` when a left-open alarm had been raised (the alarm ends).
        case closed(afterAlarm: Bool)
    }

    public private(set) var phase: Phase

    public init(isOpen: Bool = false, now: Date = Date(timeIntervalSince1970: 0)) {
        phase = isOpen ? .open(since: now, commanded: true, reminded: false, alarmed: false) : .closed
    }

    public var isOpen: Bool {
        if case .open = phase { return true }
        return false
    }

    public mutating func unlockCommanded(now: Date) -> [Action] {
        switch phase {
        case .closed, .unlocking:
            phase = .unlocking(since: now)
        case .open(let since, _, let reminded, let alarmed):
            // Reopening a door that is already open (grace reopen): it stays open, now commanded.
            phase = .open(since: since, commanded: true, reminded: reminded, alarmed: alarmed)
        }
        return []
    }

    public mutating func sensorChanged(isOpen: Bool, now: Date) -> [Action] {
        switch (phase, isOpen) {
        case (.closed, true):
            phase = .open(since: now, commanded: false, reminded: false, alarmed: false)
            return [.forcedOpen]
        case (.unlocking, true):
            phase = .open(since: now, commanded: true, reminded: false, alarmed: false)
            return [.openedAsCommanded]
        case (.open(_, _, _, let alarmed), false):
            phase = .closed
            return [.closed(afterAlarm: alarmed)]
        case (.closed, false), (.unlocking, false), (.open, true):
            return []
        }
    }

    public mutating func tick(now: Date, policy: Policy) -> [Action] {
        switch phase {
        case .closed:
            return []
        case .unlocking(let since):
            guard now.timeIntervalSince(since) >= policy.openConfirmationSeconds else { return [] }
            phase = .closed
            return [.latchDidNotOpen]
        case .open(let since, let commanded, let reminded, let alarmed):
            let openFor = now.timeIntervalSince(since)
            if !alarmed && openFor >= policy.alarmSeconds {
                phase = .open(since: since, commanded: commanded, reminded: true, alarmed: true)
                return [.leftOpenAlarm(openSeconds: Int(openFor))]
            }
            if !reminded && openFor >= policy.reminderSeconds {
                phase = .open(since: since, commanded: commanded, reminded: true, alarmed: alarmed)
                return [.remindToClose]
            }
            return []
        }
    }

    /// The earliest time at which `tick` could act, so a service can sleep until then.
    public func nextDeadline(policy: Policy) -> Date? {
        switch phase {
        case .closed: return nil
        case .unlocking(let since): return since.addingTimeInterval(policy.openConfirmationSeconds)
        case .open(let since, _, let reminded, let alarmed):
            if alarmed { return nil }
            return since.addingTimeInterval(reminded ? policy.alarmSeconds : policy.reminderSeconds)
        }
    }
}
