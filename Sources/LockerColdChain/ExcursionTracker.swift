public import Foundation

/// Turns a zone's healthy readings into excursions: spells out of band long enough to matter.
///
/// A zone leaves its band briefly all the time (a defrost, a door opened for a parcel), and
/// calling each blip an excursion would bury the real ones. So a spell out of band becomes an
/// excursion only once it has lasted its grace:
///
/// - normally `graceSeconds`, counted from the first reading out of band;
/// - while the door is open and until `doorOpenGraceSeconds` after the last reading that saw it
///   open, the grace is extended to that moment: the zone needs time to pull back down after a
///   courier has stood at an open door loading warm parcels;
/// - never beyond `graceSeconds + doorOpenGraceSeconds` after the spell began, so that a door
///   left open does not hide a zone warming for hours.
///
/// The excursion then reports the spell's real start, and its peak includes the grace.
///
/// A reading that leaves by the other side (too warm straight to too cold) ends the spell, and
/// the excursion if there is one, and begins a new spell.
public struct ExcursionTracker: Sendable, Equatable {
    public struct Settings: Sendable, Equatable, Hashable, Codable {
        public var band: TemperatureBand
        public var graceSeconds: Double
        public var doorOpenGraceSeconds: Double

        public init(band: TemperatureBand, graceSeconds: Double = 900, doorOpenGraceSeconds: Double = 1200) {
            self.band = band
            self.graceSeconds = graceSeconds
            self.doorOpenGraceSeconds = doorOpenGraceSeconds
        }

        /// The excursion rules for the band a thermostat keeps.
        public init(thermostat: ThermostatSettings, graceSeconds: Double = 900, doorOpenGraceSeconds: Double = 1200) {
            self.init(band: thermostat.band, graceSeconds: graceSeconds, doorOpenGraceSeconds: doorOpenGraceSeconds)
        }

        /// Reasons these settings cannot be used; empty when they can.
        public var problems: [String] {
            var problems = band.problems
            for (name, seconds) in [("graceSeconds", graceSeconds), ("doorOpenGraceSeconds", doorOpenGraceSeconds)]
            where !seconds.isFinite || seconds < 0 {
                problems.append("\(name) (\(seconds)) must be zero or more")
            }
            return problems
        }
    }

    /// A spell out of band, excursion or not yet.
    private struct Spell: Sendable, Equatable {
        var start: Date
        var direction: ExcursionDirection
        var peakCelsius: Double
        var isExcursion: Bool

        var excursion: Excursion { Excursion(start: start, peakCelsius: peakCelsius, direction: direction) }
    }

    public var settings: Settings
    private var spell: Spell?
    /// The last reading that saw the door open.
    public private(set) var doorLastSeenOpenAt: Date?

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The excursion going on now, if any (a spell still within its grace is not one).
    public var current: Excursion? {
        guard let spell, spell.isExcursion else { return nil }
        return spell.excursion
    }

    public var isInExcursion: Bool { spell?.isExcursion ?? false }

    /// When the zone left the band, while it is out of band, whether or not the grace has run
    /// out: for a display that warns before the excursion is recorded.
    public var outOfBandSince: Date? { spell?.start }

    /// Feeds one healthy reading. A NaN or infinite value is ignored, as a probe fault would be.
    public mutating func observe(celsius: Double, doorOpen: Bool, now: Date) -> [ExcursionEvent] {
        if doorOpen { doorLastSeenOpenAt = now }
        guard celsius.isFinite else { return graceCheck(now: now) }
        var events: [ExcursionEvent] = []
        let direction = settings.band.direction(of: celsius)
        if let spell, spell.direction != direction {
            if spell.isExcursion {
                var ended = spell.excursion
                ended.end = now
                events.append(.ended(ended))
            }
            self.spell = nil
        }
        guard let direction else { return events }
        var spell = self.spell ?? Spell(start: now, direction: direction, peakCelsius: celsius, isExcursion: false)
        switch direction {
        case .tooWarm: spell.peakCelsius = max(spell.peakCelsius, celsius)
        case .tooCold: spell.peakCelsius = min(spell.peakCelsius, celsius)
        }
        self.spell = spell
        return events + graceCheck(now: now)
    }

    /// Notes that there is no trustworthy reading now. It ends nothing: there is no evidence
    /// that the zone came back into band. A spell's grace keeps running, so a spell whose grace
    /// runs out during the fault becomes an excursion: the last evidence said out of band, and
    /// a blind probe must not make goods look safer than they were.
    public mutating func observeProbeFault(now: Date) -> [ExcursionEvent] {
        graceCheck(now: now)
    }

    /// When the spell's grace runs out, given what is known of the door now.
    private func graceDeadline(for spell: Spell) -> Date {
        let ordinary = spell.start.addingTimeInterval(settings.graceSeconds)
        guard let doorLastSeenOpenAt else { return ordinary }
        let afterDoor = doorLastSeenOpenAt.addingTimeInterval(settings.doorOpenGraceSeconds)
        let longest = ordinary.addingTimeInterval(settings.doorOpenGraceSeconds)
        return max(ordinary, min(afterDoor, longest))
    }

    private mutating func graceCheck(now: Date) -> [ExcursionEvent] {
        guard let spell, !spell.isExcursion, now >= graceDeadline(for: spell) else { return [] }
        self.spell?.isExcursion = true
        return [.started(spell.excursion)]
    }
}
