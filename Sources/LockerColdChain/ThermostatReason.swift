/// Why the thermostat's relay is in the state its last decision gave: what a log line or a
/// technician's screen needs to tell "waiting out the anti-short-cycle timer" from "satisfied".
public enum ThermostatReason: String, Sendable, Equatable, Hashable, Codable {
    /// On: the reading is past the cut-in point, or has not yet reached the cut-out point.
    case temperatureDemand
    /// Off: the reading has reached the cut-out point, or is still short of the cut-in point.
    case temperatureSatisfied
    /// Off although the reading calls for the relay: it switched off less than
    /// `minimumOffSeconds` ago (or the daemon started less than that ago).
    case minimumOffTime
    /// On although the reading no longer calls for the relay: it switched on less than
    /// `minimumOnSeconds` ago.
    case minimumOnTime
    /// Forced off: it had run `maximumRunSeconds` without a break. Later decisions give
    /// `minimumOffTime` while the rest lasts.
    case maximumRun
    /// No trustworthy reading: the relay is in the zone's configured safe state.
    case probeFaultSafeState
    /// No trustworthy reading and the safe state is on, but the relay switched off less than
    /// `minimumOffSeconds` ago: a fault does not excuse a short cycle.
    case probeFaultMinimumOffTime
}
