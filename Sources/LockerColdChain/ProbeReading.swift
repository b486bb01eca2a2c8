/// What a temperature-probe driver reports for one read, before anyone has judged it.
///
/// Drivers report raw outcomes and nothing more, so that every judgement about what counts as a
/// fault lives in one place (`ProbeFaultDetector`) and is the same for every driver.
public enum ProbeReading: Sendable, Equatable, Hashable {
    /// A value that passed the bus's own checks.
    case celsius(Double)
    /// The value's checksum did not match: noise on the 1-Wire bus, often a single bad read.
    case crcFailure
    /// No answer from the probe: unplugged, a broken wire, a missing sysfs node.
    case missing(detail: String)
}
