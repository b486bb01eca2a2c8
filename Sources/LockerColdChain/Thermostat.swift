public import Foundation

/// An on/off thermostat with anti-short-cycle protection, for one zone's compressor or heater
/// relay.
///
/// Pure: it owns no relay and no clock. The shell calls `decide(celsius:now:)` on every probe
/// reading and drives the relay to the answer.
///
/// The rules, in the order they are applied:
///
/// 1. A relay that has been on for `maximumRunSeconds` is switched off, whatever the reading or
///    the probe's health.
/// 2. A relay never switches on sooner than `minimumOffSeconds` after it last switched off: not
///    for demand, not for a probe fault's safe state.
/// 3. With no trustworthy reading (`nil`, NaN or infinite) the relay goes to the zone's safe
///    state. A safe state of off switches a running relay off at once, even within
///    `minimumOnSeconds`: without a reading nothing says the run is still doing good, and the
///    compressor's real protection is the minimum off time, which still holds.
/// 4. Otherwise the reading decides, with hysteresis (see `ThermostatSettings`), and a running
///    relay stays on for at least `minimumOnSeconds`.
///
/// A new thermostat is off, and counts its creation as the moment the relay switched off. After
/// a power cut or a crash the daemon cannot know whether the compressor stopped a second ago, so
/// it waits `minimumOffSeconds` before the first start rather than risk a start against full
/// pressure.
///
/// `now` should not go backwards (the shell should use a monotonic clock converted to dates). If
/// it does, the step back restarts the timers from `now`: the relay then waits a full minimum
/// time, and a running one may run one extra `maximumRunSeconds` at worst, but never unbounded.
public struct Thermostat: Sendable, Equatable {
    public var settings: ThermostatSettings
    /// Whether the relay should be on, as of the last decision.
    public private(set) var isOn: Bool
    /// When the relay last switched on or off. The thermostat's creation counts as a switch-off,
    /// so there is always one.
    public private(set) var lastSwitch: Date
    /// Why the relay is in its current state, as of the last decision.
    public private(set) var reason: ThermostatReason

    /// A thermostat whose relay is off as of `now` (see the type's documentation for why a start
    /// counts as a switch-off).
    public init(settings: ThermostatSettings, startedAt now: Date) {
        self.settings = settings
        self.isOn = false
        self.lastSwitch = now
        self.reason = .minimumOffTime
    }

    /// Decides whether the relay should be on now.
    ///
    /// - Parameter celsius: the zone's reading, or nil when the probe is faulty.
    /// - Returns: the new `isOn`.
    @discardableResult
    public mutating func decide(celsius: Double?, now: Date) -> Bool {
        if now < lastSwitch { lastSwitch = now }
        let secondsInState = now.timeIntervalSince(lastSwitch)
        let reading = celsius.flatMap { $0.isFinite ? $0 : nil }

        if isOn {
            if secondsInState >= settings.maximumRunSeconds {
                switchRelay(on: false, now: now, reason: .maximumRun)
            } else if reading == nil {
                if settings.relayOnWhenProbeFaulty {
                    reason = .probeFaultSafeState
                } else {
                    switchRelay(on: false, now: now, reason: .probeFaultSafeState)
                }
            } else if let reading, hasReachedCutOut(reading) {
                if secondsInState >= settings.minimumOnSeconds {
                    switchRelay(on: false, now: now, reason: .temperatureSatisfied)
                } else {
                    reason = .minimumOnTime
                }
            } else {
                reason = .temperatureDemand
            }
        } else {
            let mayStart = secondsInState >= settings.minimumOffSeconds
            if let reading {
                if !hasReachedCutIn(reading) {
                    reason = .temperatureSatisfied
                } else if mayStart {
                    switchRelay(on: true, now: now, reason: .temperatureDemand)
                } else {
                    reason = .minimumOffTime
                }
            } else if !settings.relayOnWhenProbeFaulty {
                reason = .probeFaultSafeState
            } else if mayStart {
                switchRelay(on: true, now: now, reason: .probeFaultSafeState)
            } else {
                reason = .probeFaultMinimumOffTime
            }
        }
        return isOn
    }

    /// Seconds until the relay may switch on again; zero when it is on or may start now. Lets the
    /// shell show "compressor resting, 42 s" instead of a silent wait.
    public func secondsUntilRelayMayStart(now: Date) -> Double {
        guard !isOn else { return 0 }
        return max(0, settings.minimumOffSeconds - now.timeIntervalSince(lastSwitch))
    }

    private func hasReachedCutIn(_ celsius: Double) -> Bool {
        switch settings.mode {
        case .cooling: return celsius >= settings.cutInCelsius
        case .heating: return celsius <= settings.cutInCelsius
        }
    }

    private func hasReachedCutOut(_ celsius: Double) -> Bool {
        switch settings.mode {
        case .cooling: return celsius <= settings.cutOutCelsius
        case .heating: return celsius >= settings.cutOutCelsius
        }
    }

    private mutating func switchRelay(on: Bool, now: Date, reason: ThermostatReason) {
        isOn = on
        lastSwitch = now
        self.reason = reason
    }
}
