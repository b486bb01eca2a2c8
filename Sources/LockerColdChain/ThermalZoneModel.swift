/// A zone's temperature as one lumped mass, for simulation: Newton's law of cooling plus a relay
/// that adds or removes heat at a fixed rate.
///
///     dT/dt = (leak + door) × (ambient − T) + relay
///
/// where `door` is `doorOpenLeakPerSecond` while the door is open (added to the walls' leak,
/// which goes on), and `relay` is `relayCelsiusPerSecond` while the relay is on. Lumped means
/// the goods, the walls and the air share one temperature: good enough to tune a thermostat and
/// to test the cold chain end to end, not to predict a particular cabinet.
public struct ThermalZoneModel: Sendable, Equatable {
    public var celsius: Double
    public var ambientCelsius: Double
    /// The fraction of the difference to ambient closed per second with the door shut.
    public var leakPerSecond: Double
    /// The extra fraction closed per second while the door is open. Much larger than the walls'
    /// leak, but far from the air's exchange rate: the goods and the walls hold most of the cold
    /// (or heat), and they change slowly.
    public var doorOpenLeakPerSecond: Double
    /// What the relay does per second while on: negative for a compressor, positive for a heater.
    public var relayCelsiusPerSecond: Double

    /// Explicit integration is stable while the step times the leak is well below 1; at most a
    /// second keeps it far below for any plausible zone.
    private static let maximumStepSeconds = 1.0

    public init(
        celsius: Double,
        ambientCelsius: Double,
        leakPerSecond: Double,
        doorOpenLeakPerSecond: Double,
        relayCelsiusPerSecond: Double
    ) {
        self.celsius = celsius
        self.ambientCelsius = ambientCelsius
        self.leakPerSecond = leakPerSecond
        self.doorOpenLeakPerSecond = doorOpenLeakPerSecond
        self.relayCelsiusPerSecond = relayCelsiusPerSecond
    }

    /// Lets `seconds` pass with the relay and the door held as given.
    public mutating func advance(seconds: Double, relayOn: Bool, doorOpen: Bool) {
        guard seconds > 0 else { return }
        let steps = Int((seconds / Self.maximumStepSeconds).rounded(.up))
        let step = seconds / Double(steps)
        let leak = leakPerSecond + (doorOpen ? doorOpenLeakPerSecond : 0)
        let relay = relayOn ? relayCelsiusPerSecond : 0
        for _ in 0..<steps {
            celsius += (leak * (ambientCelsius - celsius) + relay) * step
        }
    }
}

extension ThermalZoneModel {
    /// A chilled cell in a 22 °C room, starting at the middle of `ThermostatSettings.chilled`'s
    /// band. The compressor holds the band at about half duty.
    public static let chilled = ThermalZoneModel(
        celsius: 5, ambientCelsius: 22, leakPerSecond: 1.0 / 3600, doorOpenLeakPerSecond: 1.0 / 600,
        relayCelsiusPerSecond: -0.01
    )

    /// A freezer cell in a 22 °C room, starting at the middle of `ThermostatSettings.frozen`'s
    /// band: better insulated than the chilled cell, with a stronger compressor (about a third
    /// duty).
    public static let frozen = ThermalZoneModel(
        celsius: -20, ambientCelsius: 22, leakPerSecond: 1.0 / 7200, doorOpenLeakPerSecond: 1.0 / 600,
        relayCelsiusPerSecond: -0.02
    )

    /// A hot-food cell in a 22 °C room, starting at the middle of `ThermostatSettings.heated`'s
    /// band. The heater holds the band at about a third duty.
    public static let heated = ThermalZoneModel(
        celsius: 62.5, ambientCelsius: 22, leakPerSecond: 1.0 / 3600, doorOpenLeakPerSecond: 1.0 / 600,
        relayCelsiusPerSecond: 0.03
    )
}
