public import Foundation

/// Judges one probe's raw readings, so that the thermostat and the temperature record act only on
/// values that can be the zone's temperature.
///
/// Pure and per probe: the shell keeps one detector per probe, feeds it every read in order and
/// passes the assessment's `celsius` (nil when faulty) to the thermostat.
///
/// A numeric reading is checked, in order: against the sensor's range; for the DS18B20's 85 °C
/// power-on value; for being stuck; for an impossible jump from the last healthy reading. The
/// first check that fails names the fault. Faulty values never become the "last healthy"
/// reading, so a glitch cannot move the reference that later readings are judged against.
public struct ProbeFaultDetector: Sendable, Equatable {
    public struct Settings: Sendable, Equatable, Hashable, Codable {
        /// CRC failures in a row before the probe is faulty. 1-Wire buses see the odd corrupted
        /// read (a relay switching nearby, a long cable); a fault for each would flap the
        /// thermostat into its safe state and back.
        public var consecutiveCRCFailuresForFault: Int
        /// How old the last healthy value may be and still stand in for a read that failed its
        /// CRC. Beyond this a repeated value would hide a real change.
        public var crcFallbackMaximumAgeSeconds: Double
        /// How long the reading may stay unchanged before the probe counts as stuck.
        public var stuckAfterSeconds: Double
        /// Readings closer than this count as the same value for the stuck check.
        public var stuckToleranceCelsius: Double
        /// The fastest a zone's reading can move. A door opening moves the air fast, so this
        /// should be generous; the point is to reject bus glitches, which jump tens of degrees.
        public var maximumCelsiusPerMinute: Double
        /// Added to the rate allowance: between two reads a few seconds apart the sensor's own
        /// steps and noise exceed any per-minute rate.
        public var jumpAllowanceCelsius: Double
        /// An exact 85 °C is believed only when the last healthy reading was this close to it.
        public var powerOnValueToleranceCelsius: Double
        /// What the sensor can measure; a value outside is a fault, not a temperature.
        public var minimumCelsius: Double
        public var maximumCelsius: Double

        public init(
            consecutiveCRCFailuresForFault: Int = 3,
            crcFallbackMaximumAgeSeconds: Double = 120,
            stuckAfterSeconds: Double = 1800,
            stuckToleranceCelsius: Double = 0.001,
            maximumCelsiusPerMinute: Double = 5,
            jumpAllowanceCelsius: Double = 2,
            powerOnValueToleranceCelsius: Double = 2,
            minimumCelsius: Double = -55,
            maximumCelsius: Double = 125
        ) {
            self.consecutiveCRCFailuresForFault = consecutiveCRCFailuresForFault
            self.crcFallbackMaximumAgeSeconds = crcFallbackMaximumAgeSeconds
            self.stuckAfterSeconds = stuckAfterSeconds
            self.stuckToleranceCelsius = stuckToleranceCelsius
            self.maximumCelsiusPerMinute = maximumCelsiusPerMinute
            self.jumpAllowanceCelsius = jumpAllowanceCelsius
            self.powerOnValueToleranceCelsius = powerOnValueToleranceCelsius
            self.minimumCelsius = minimumCelsius
            self.maximumCelsius = maximumCelsius
        }

        /// Reasons these settings cannot be used; empty when they can.
        public var problems: [String] {
            var problems: [String] = []
            if consecutiveCRCFailuresForFault < 1 {
                problems.append("consecutiveCRCFailuresForFault (\(consecutiveCRCFailuresForFault)) must be at least 1")
            }
            let nonNegative: [(String, Double)] = [
                ("crcFallbackMaximumAgeSeconds", crcFallbackMaximumAgeSeconds),
                ("stuckToleranceCelsius", stuckToleranceCelsius),
                ("jumpAllowanceCelsius", jumpAllowanceCelsius),
                ("powerOnValueToleranceCelsius", powerOnValueToleranceCelsius),
            ]
            for (name, value) in nonNegative where !value.isFinite || value < 0 {
                problems.append("\(name) (\(value)) must be zero or more")
            }
            for (name, value) in [("stuckAfterSeconds", stuckAfterSeconds), ("maximumCelsiusPerMinute", maximumCelsiusPerMinute)]
            where !value.isFinite || value <= 0 {
                problems.append("\(name) (\(value)) must be above zero")
            }
            if !(minimumCelsius < maximumCelsius) {
                problems.append("minimumCelsius (\(minimumCelsius)) must be below maximumCelsius (\(maximumCelsius))")
            }
            return problems
        }
    }

    /// The value a DS18B20 holds in its scratchpad after a power-on reset.
    public static let powerOnValueCelsius = 85.0

    public var settings: Settings
    /// The last reading judged healthy, and when it was read: the reference for the jump and
    /// power-on checks.
    public private(set) var lastHealthyCelsius: Double?
    public private(set) var lastHealthyAt: Date?
    /// CRC failures since the last read that passed its CRC.
    public private(set) var consecutiveCRCFailures = 0
    /// Whether the most recent non-CRC assessment was healthy. A value just judged faulty (stuck,
    /// say) must not come back as the stand-in for a failed read.
    private var mayFallBackToLastHealthy = false
    /// The value the reading has held, to within the tolerance, since `unchangedSince`.
    private var unchangedCelsius: Double?
    private var unchangedSince: Date?

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    public mutating func assess(_ reading: ProbeReading, now: Date) -> ProbeAssessment {
        switch reading {
        case .crcFailure:
            consecutiveCRCFailures += 1
            if consecutiveCRCFailures < settings.consecutiveCRCFailuresForFault, mayFallBackToLastHealthy,
                let lastHealthyCelsius, let lastHealthyAt,
                now.timeIntervalSince(lastHealthyAt) <= settings.crcFallbackMaximumAgeSeconds
            {
                return .healthy(celsius: lastHealthyCelsius)
            }
            return .faulty(.crcFailure)
        case .missing(let detail):
            consecutiveCRCFailures = 0
            return fault(.disconnected(detail: detail))
        case .celsius(let celsius):
            consecutiveCRCFailures = 0
            return assess(celsius: celsius, now: now)
        }
    }

    private mutating func assess(celsius: Double, now: Date) -> ProbeAssessment {
        guard celsius.isFinite, celsius >= settings.minimumCelsius, celsius <= settings.maximumCelsius else {
            return fault(.outOfRange(celsius: celsius))
        }
        if celsius == Self.powerOnValueCelsius {
            let followsNearbyReading = lastHealthyCelsius.map {
                abs($0 - Self.powerOnValueCelsius) <= settings.powerOnValueToleranceCelsius
            }
            if followsNearbyReading != true { return fault(.powerOnValue) }
        }
        if let unchangedCelsius, let unchangedSince, abs(celsius - unchangedCelsius) <= settings.stuckToleranceCelsius {
            let seconds = now.timeIntervalSince(unchangedSince)
            if seconds > settings.stuckAfterSeconds { return fault(.stuck(seconds: seconds)) }
        } else {
            unchangedCelsius = celsius
            unchangedSince = now
        }
        if let lastHealthyCelsius, let lastHealthyAt {
            let seconds = max(0, now.timeIntervalSince(lastHealthyAt))
            let allowed = settings.jumpAllowanceCelsius + settings.maximumCelsiusPerMinute * seconds / 60
            if abs(celsius - lastHealthyCelsius) > allowed {
                // The allowance grows with the time since the last healthy reading, so a real
                // move that the rate rule first rejects is accepted once enough time has passed
                // to explain it, while a one-read glitch is simply skipped.
                return fault(.impossibleJump(from: lastHealthyCelsius, to: celsius, seconds: seconds))
            }
        }
        lastHealthyCelsius = celsius
        lastHealthyAt = now
        mayFallBackToLastHealthy = true
        return .healthy(celsius: celsius)
    }

    private mutating func fault(_ fault: ProbeFault) -> ProbeAssessment {
        mayFallBackToLastHealthy = false
        return .faulty(fault)
    }
}
