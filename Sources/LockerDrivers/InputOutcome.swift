/// What became of one thing a person did at an input device: the press or code was handed to the
/// cabinet, refused with a reason, or meant nothing (a key no map knows). Reported after the
/// cabinet handled it, so a caller that typed something can wait until it took effect (the
/// simulated cabinet does, which keeps scripted sessions deterministic).
public enum InputOutcome: Sendable, Equatable {
    case delivered
    case refused(reason: String)
    case ignored
}

public typealias InputOutcomeObserver = @Sendable (InputOutcome) -> Void
