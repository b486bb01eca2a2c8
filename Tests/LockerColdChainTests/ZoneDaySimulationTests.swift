import Foundation
import LockerColdChain
import LockerTestSupport
import Testing

/// A whole day of each preset zone, model and thermostat together, with a courier's door
/// openings: the presets must hold their band and the relay must never short-cycle.
@Suite struct ZoneDaySimulationTests {
    struct Zone: Sendable, CustomTestStringConvertible {
        var name: String
        var settings: ThermostatSettings
        var model: ThermalZoneModel
        var seed: UInt64
        var testDescription: String { name }
    }

    static let zones = [
        Zone(name: "chilled", settings: .chilled, model: .chilled, seed: 1),
        Zone(name: "frozen", settings: .frozen, model: .frozen, seed: 2),
        Zone(name: "heated", settings: .heated, model: .heated, seed: 3),
    ]

    static let daySeconds = 86_400.0
    static let stepSeconds = 10.0

    /// Thirty door openings of 10–90 s at random times, none overlapping (a door cannot open
    /// twice at once), in time order.
    static func doorOpenings(using random: inout SplitMix64) -> [ClosedRange<Double>] {
        var openings: [ClosedRange<Double>] = []
        while openings.count < 30 {
            let start = (Double.random(in: 0..<(daySeconds - 100), using: &random) / stepSeconds).rounded() * stepSeconds
            let length = (Double.random(in: 10...90, using: &random) / stepSeconds).rounded() * stepSeconds
            let opening = start...(start + length)
            if openings.allSatisfy({ !$0.overlaps(opening) }) { openings.append(opening) }
        }
        return openings.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// What a DS18B20 in its 12-bit mode reports: sixteenths of a degree.
    static func probeReading(_ celsius: Double) -> ProbeReading {
        .celsius((celsius * 16).rounded() / 16)
    }

    /// At the time of writing the day gives: chilled 207 switches, about half duty, 4.0…8.1 °C;
    /// frozen 238 switches, a third duty, −21.6…−15.0 °C; heated 378 switches, 41% duty,
    /// 56.9…64.2 °C. The peaks beyond the band are door openings, within their grace.
    @Test(arguments: zones) func aDayHoldsTheBandWithoutShortCycling(zone: Zone) throws {
        #expect(zone.settings.problems.isEmpty)
        var random = SplitMix64(seed: zone.seed)
        let openings = Self.doorOpenings(using: &random)
        let start = Date(timeIntervalSince1970: 1_750_000_000)
        var model = zone.model
        var thermostat = Thermostat(settings: zone.settings, startedAt: start)
        var detector = ProbeFaultDetector()
        let excursionSettings = ExcursionTracker.Settings(thermostat: zone.settings)
        var tracker = ExcursionTracker(settings: excursionSettings)
        var switches: [(seconds: Double, on: Bool)] = []
        var doorLastSeenOpen: Double?
        var outOfBandOutsideDoorGrace: [Double] = []
        var faults: [ProbeFault] = []
        var excursionEvents: [ExcursionEvent] = []
        var lowest = model.celsius
        var highest = model.celsius

        for seconds in stride(from: 0, to: Self.daySeconds, by: Self.stepSeconds) {
            let now = start + seconds
            let doorOpen = openings.contains { $0.lowerBound <= seconds && seconds < $0.upperBound }
            if doorOpen { doorLastSeenOpen = seconds }
            let assessment = detector.assess(Self.probeReading(model.celsius), now: now)
            if let fault = assessment.fault { faults.append(fault) }
            let wasOn = thermostat.isOn
            let relayOn = thermostat.decide(celsius: assessment.celsius, now: now)
            if relayOn != wasOn { switches.append((seconds, relayOn)) }
            excursionEvents += tracker.observe(celsius: model.celsius, doorOpen: doorOpen, now: now)
            if !zone.settings.band.contains(model.celsius) {
                let withinDoorGrace = doorLastSeenOpen.map { seconds - $0 <= excursionSettings.doorOpenGraceSeconds } ?? false
                if !withinDoorGrace { outOfBandOutsideDoorGrace.append(seconds) }
            }
            lowest = min(lowest, model.celsius)
            highest = max(highest, model.celsius)
            model.advance(seconds: Self.stepSeconds, relayOn: relayOn, doorOpen: doorOpen)
        }

        #expect(faults.isEmpty, "a healthy probe in a working zone is never faulty")
        #expect(outOfBandOutsideDoorGrace.isEmpty, "out of band at \(outOfBandOutsideDoorGrace.prefix(5)) s, range \(lowest)…\(highest)")
        #expect(excursionEvents.isEmpty)
        // The zone must actually cycle, or the short-cycle checks below prove nothing.
        #expect(switches.count >= 40, "only \(switches.count) switches")

        // The start counts as a switch-off.
        var previous: (seconds: Double, on: Bool) = (0, false)
        for change in switches {
            #expect(change.on != previous.on)
            let interval = change.seconds - previous.seconds
            if change.on {
                #expect(interval >= zone.settings.minimumOffSeconds, "switched on \(interval) s after off at \(change.seconds) s")
            } else {
                #expect(interval >= zone.settings.minimumOnSeconds, "switched off \(interval) s after on at \(change.seconds) s")
                // Decisions come every step, so a forced stop can land up to a step late.
                #expect(interval <= zone.settings.maximumRunSeconds + Self.stepSeconds, "ran \(interval) s")
            }
            previous = change
        }
    }
}
