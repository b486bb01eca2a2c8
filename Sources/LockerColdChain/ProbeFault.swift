/// Why a probe's reading is not trusted.
public enum ProbeFault: Sendable, Equatable, Hashable {
    /// Checksum failures on several consecutive reads (or with no recent good value to fall back
    /// on).
    case crcFailure
    /// Exactly 85 °C: a DS18B20's power-on reset value, returned when it lost power or was read
    /// before it finished converting. Not a temperature.
    case powerOnValue
    /// The probe did not answer.
    case disconnected(detail: String)
    /// The reading has not changed (to within the detector's tolerance) for this many seconds. A
    /// real zone's reading always wiggles as its relay cycles; a frozen value is a hung sensor or
    /// a driver returning a cached number.
    case stuck(seconds: Double)
    /// The reading moved faster than any zone can, measured from the last healthy reading. Such
    /// a value is a glitch on the bus, not the zone's temperature.
    case impossibleJump(from: Double, to: Double, seconds: Double)
    /// Outside what the sensor can measure (−55…125 °C for a DS18B20), or not a number at all.
    case outOfRange(celsius: Double)
}
