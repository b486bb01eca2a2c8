/// How one zone's thermostat drives its relay.
///
/// The switch points sit symmetrically around the band's midpoint, `hysteresisCelsius` apart:
///
/// - cooling: the compressor cuts in at `midpoint + hysteresis/2` (reading at or above) and cuts
///   out at `midpoint − hysteresis/2` (reading at or below);
/// - heating: mirrored, the heater cuts in at `midpoint − hysteresis/2` and out at
///   `midpoint + hysteresis/2`.
///
/// Centring the dead band leaves the same margin on both sides for what the thermostat cannot
/// control: the overshoot after cut-out (the coil stays cold, the element stays hot), the rise
/// while the anti-short-cycle timer holds the relay off, and a door opening. Validation requires
/// the hysteresis to be narrower than the band, so both switch points are strictly inside it.
public struct ThermostatSettings: Sendable, Equatable, Hashable, Codable {
    public var mode: ZoneMode
    /// The band the zone's contents must stay within.
    public var lowCelsius: Double
    public var highCelsius: Double
    /// The distance between the cut-in and cut-out points. Wider means longer, fewer cycles
    /// (less compressor wear) and a larger swing.
    public var hysteresisCelsius: Double
    /// The relay never switches on sooner than this after it switched off. A compressor restarted
    /// against the pressure left from its last run stalls and overheats; this is the rule that
    /// protects it, so nothing (not even a probe fault) overrides it.
    public var minimumOffSeconds: Double
    /// The relay normally stays on at least this long once on: a compressor needs a few minutes
    /// to return oil and to make the start's wear worth it. Two things may cut a run shorter:
    /// `maximumRunSeconds` (it is never shorter than this when valid) and a probe fault in a zone
    /// whose safe state is off (see `Thermostat`).
    public var minimumOnSeconds: Double
    /// After running this long without a break the relay is forced off for `minimumOffSeconds`,
    /// whatever the temperature: a coil that never rests ices up, and a heater whose probe has
    /// come loose must not run forever.
    public var maximumRunSeconds: Double
    /// The relay's state while there is no trustworthy reading. Per zone, because the lesser
    /// harm differs: a freezer loses less running blind (the maximum run still rests it) than
    /// thawing, while a heater running blind can overheat and a chilled cell running blind can
    /// freeze its produce.
    public var relayOnWhenProbeFaulty: Bool

    public init(
        mode: ZoneMode,
        lowCelsius: Double,
        highCelsius: Double,
        hysteresisCelsius: Double = 1.0,
        minimumOffSeconds: Double = 180,
        minimumOnSeconds: Double = 60,
        maximumRunSeconds: Double = 3600,
        relayOnWhenProbeFaulty: Bool = false
    ) {
        self.mode = mode
        self.lowCelsius = lowCelsius
        self.highCelsius = highCelsius
        self.hysteresisCelsius = hysteresisCelsius
        self.minimumOffSeconds = minimumOffSeconds
        self.minimumOnSeconds = minimumOnSeconds
        self.maximumRunSeconds = maximumRunSeconds
        self.relayOnWhenProbeFaulty = relayOnWhenProbeFaulty
    }

    public var band: TemperatureBand { TemperatureBand(lowCelsius: lowCelsius, highCelsius: highCelsius) }

    /// The reading at which the relay is called for (at or above it when cooling, at or below it
    /// when heating).
    public var cutInCelsius: Double {
        let midpoint = band.midpointCelsius
        switch mode {
        case .cooling: return midpoint + hysteresisCelsius / 2
        case .heating: return midpoint - hysteresisCelsius / 2
        }
    }

    /// The reading at which a running relay is no longer needed (at or below it when cooling, at
    /// or above it when heating).
    public var cutOutCelsius: Double {
        let midpoint = band.midpointCelsius
        switch mode {
        case .cooling: return midpoint - hysteresisCelsius / 2
        case .heating: return midpoint + hysteresisCelsius / 2
        }
    }

    /// Reasons these settings cannot drive a relay; empty when they can. Checked when the
    /// configuration is loaded, so that a typo stops the daemon instead of spoiling a zone.
    public var problems: [String] {
        var problems = band.problems
        if !hysteresisCelsius.isFinite || hysteresisCelsius <= 0 {
            problems.append("hysteresisCelsius (\(hysteresisCelsius)) must be above zero")
        } else if band.problems.isEmpty && hysteresisCelsius >= band.widthCelsius {
            problems.append(
                "hysteresisCelsius (\(hysteresisCelsius)) must be narrower than the band (\(band.widthCelsius)) "
                    + "so that both switch points are inside it"
            )
        }
        for (name, seconds) in [("minimumOffSeconds", minimumOffSeconds), ("minimumOnSeconds", minimumOnSeconds)]
        where !seconds.isFinite || seconds < 0 {
            problems.append("\(name) (\(seconds)) must be zero or more")
        }
        if !maximumRunSeconds.isFinite || maximumRunSeconds <= 0 {
            problems.append("maximumRunSeconds (\(maximumRunSeconds)) must be above zero")
        } else if minimumOnSeconds.isFinite && maximumRunSeconds < minimumOnSeconds {
            problems.append(
                "maximumRunSeconds (\(maximumRunSeconds)) must not be shorter than minimumOnSeconds (\(minimumOnSeconds))"
            )
        }
        return problems
    }
}

extension ThermostatSettings {
    /// Chilled food, 2–8 °C. Off when the probe fails: a compressor running blind for hours
    /// freezes produce, and the zone warms slowly enough for the fault alarm to be answered.
    public static let chilled = ThermostatSettings(
        mode: .cooling, lowCelsius: 2, highCelsius: 8, hysteresisCelsius: 2, relayOnWhenProbeFaulty: false
    )

    /// Frozen food, −25…−15 °C. On when the probe fails: colder than needed does no harm to
    /// frozen goods, thawing does, and the maximum run still rests the compressor.
    public static let frozen = ThermostatSettings(
        mode: .cooling, lowCelsius: -25, highCelsius: -15, hysteresisCelsius: 3, relayOnWhenProbeFaulty: true
    )

    /// Hot food, 55–70 °C. Off when the probe fails: a heater running blind is a fire risk.
    public static let heated = ThermostatSettings(
        mode: .heating, lowCelsius: 55, highCelsius: 70, hysteresisCelsius: 3, relayOnWhenProbeFaulty: false
    )
}
