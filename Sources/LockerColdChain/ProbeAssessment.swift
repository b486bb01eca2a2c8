/// A probe reading after judgement: a temperature to act on, or a fault.
public enum ProbeAssessment: Sendable, Equatable, Hashable {
    case healthy(celsius: Double)
    case faulty(ProbeFault)

    /// The temperature to act on, or nil when there is none: exactly what
    /// `Thermostat.decide(celsius:now:)` takes.
    public var celsius: Double? {
        if case .healthy(let celsius) = self { return celsius }
        return nil
    }

    public var fault: ProbeFault? {
        if case .faulty(let fault) = self { return fault }
        return nil
    }
}
