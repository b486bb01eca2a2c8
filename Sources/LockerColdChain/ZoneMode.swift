/// What a zone's relay drives, and so which way it pushes the temperature.
///
/// The thermostat's logic is the same both ways, mirrored: a cooling zone calls for its relay
/// when it is too warm, a heating zone when it is too cold.
public enum ZoneMode: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// The relay drives a compressor: on lowers the temperature.
    case cooling
    /// The relay drives a heater: on raises the temperature.
    case heating
}
