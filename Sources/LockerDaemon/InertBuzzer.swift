public import LockerHAL

/// The buzzer of a cabinet that has none configured: patterns are dropped. The simulator's buzzer
/// prints each one to standard output, which on a real cabinet is the journal, so it is not used
/// there.
public struct InertBuzzer: Buzzer {
    public init() {}

    public func play(_ pattern: BuzzerPattern) async {}
}
