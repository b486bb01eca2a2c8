public import Foundation
public import LockerColdChain
public import LockerHAL
import Synchronization

/// One cold zone of the simulated cabinet: its air (a `ThermalZoneModel`), its compressor or heater
/// (the `Relay` the daemon drives) and its probe (the `TemperatureProbe` the daemon reads).
///
/// Time is the daemon's clock, read at each use: the model is advanced lazily to "now" with the
/// relay and doors as they were since the last use, so the zone behaves the same under the real
/// clock and under `--manual-clock`. Faults can be set on purpose (a compressor that no longer
/// cools, a probe that fails its CRC or is unplugged) so tests and `make run` can cause
/// excursions and probe alarms.
public final class SimulatedColdZone: Relay, TemperatureProbe {
    public enum ProbeFailure: String, Sendable, CaseIterable {
        case crc
        case unplugged
        /// Reports 85.0 °C, a DS18B20's power-on value.
        case powerOn = "power-on"
    }

    public let name: String
    private let now: @Sendable () -> Date
    private let doorOpen: @Sendable () -> Bool
    private struct State {
        var model: ThermalZoneModel
        var advancedTo: Date
        var relayOn = false
        var relayBroken = false
        var probeFailure: ProbeFailure?
        var switchCount = 0
    }
    private let state: Mutex<State>

    /// - Parameters:
    ///   - doorOpen: whether any door of the zone is open now (the simulated cabinet's doors).
    public init(name: String, model: ThermalZoneModel, now: @escaping @Sendable () -> Date, doorOpen: @escaping @Sendable () -> Bool) {
        self.name = name
        self.now = now
        self.doorOpen = doorOpen
        state = Mutex(State(model: model, advancedTo: now()))
    }

    // MARK: - Relay

    public func set(on: Bool) async throws {
        advanced { state in
            if state.relayOn != on { state.switchCount += 1 }
            state.relayOn = on
        }
    }

    public func setSafeState() async {
        advanced { $0.relayOn = false }
    }

    // MARK: - Probe

    public func read() async -> ProbeSample {
        advanced { state -> ProbeSample in
            switch state.probeFailure {
            case .crc?: return .crcFailure
            case .unplugged?: return .missing(detail: "simulated probe of zone \(name) unplugged")
            case .powerOn?: return .celsius(85)
            case nil:
                // A DS18B20 reports in steps of 1/16 °C.
                return .celsius((state.model.celsius * 16).rounded() / 16)
            }
        }
    }

    // MARK: - What a test or the front panel does to it

    public var celsius: Double { advanced { $0.model.celsius } }
    public var isRelayOn: Bool { state.withLock { $0.relayOn } }
    public var relaySwitchCount: Int { state.withLock { $0.switchCount } }

    /// A compressor (or heater) that runs but no longer cools (or heats).
    public func setRelayBroken(_ broken: Bool) {
        advanced { $0.relayBroken = broken }
    }

    public func setProbeFailure(_ failure: ProbeFailure?) {
        advanced { $0.probeFailure = failure }
    }

    /// Advances the model to now with the state as it was, then applies `change`.
    private func advanced<T>(_ change: (inout State) -> T) -> T {
        let now = self.now()
        let doorOpen = self.doorOpen()
        return state.withLock { state in
            let seconds = now.timeIntervalSince(state.advancedTo)
            if seconds > 0 {
                state.model.advance(seconds: seconds, relayOn: state.relayOn && !state.relayBroken, doorOpen: doorOpen)
                state.advancedTo = now
            }
            return change(&state)
        }
    }
}
