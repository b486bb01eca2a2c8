/// What one read of a probe gave: a temperature, or why there is none.
///
/// A temperature is passed on as read, however implausible (85 °C is a DS18B20's power-on value,
/// not a measurement): judging readings is the fault detector's work, which sees the history and
/// the cell's band; a driver sees one read.
public enum ProbeSample: Sendable, Equatable {
    case celsius(Double)
    /// The probe answered, but its data failed the checksum (noise on a long cable, a loose
    /// contact): worth a retry, and a pattern of them is a wiring fault.
    case crcFailure
    /// Nothing usable came back; `detail` says what was looked for and what was seen, so the log
    /// line is enough for a technician.
    case missing(detail: String)
}

/// A temperature probe in a cold-chain cell.
///
/// `read` never throws: every failure is a `ProbeSample` for the fault detector to judge, so a
/// controller loop has one path for good and bad reads alike. A read may take around a second
/// (a DS18B20 converts for 750 ms); drivers keep that wait off the shared concurrency threads.
public protocol TemperatureProbe: Sendable {
    var name: String { get }
    func read() async -> ProbeSample
}
