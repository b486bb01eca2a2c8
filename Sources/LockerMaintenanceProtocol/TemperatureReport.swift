public import FoundationEssentials

/// One temperature-controlled zone: its probe and its band.
public struct TemperatureReport: Sendable, Codable, Equatable {
    public var zone: String
    public var celsius: Double?
    public var lowCelsius: Double
    public var highCelsius: Double
    /// "in_band", "excursion", "probe_fault".
    public var state: String
    public var sampledAt: Date?
    /// Whether the zone's compressor or heater runs (protocol 1 additions, absent from older daemons).
    public var relayOn: Bool?
    /// The doors the zone cools or heats.
    public var doors: [String]?
    /// A probe fault or relay failure, in words.
    public var detail: String?

    public init(zone: String, celsius: Double?, lowCelsius: Double, highCelsius: Double, state: String, sampledAt: Date?) {
        self.zone = zone
        self.celsius = celsius
        self.lowCelsius = lowCelsius
        self.highCelsius = highCelsius
        self.state = state
        self.sampledAt = sampledAt
    }
}
