public enum LightPattern: String, Sendable, Equatable {
    case off
    case on
    /// Blink the door that just opened so the person finds it.
    case blink
}

/// Per-compartment LEDs, where the board has them (a board without them ignores the call).
public protocol IndicatorLights: Sendable {
    func set(board: Int, channel: Int, to pattern: LightPattern) async
}
