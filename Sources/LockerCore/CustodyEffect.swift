/// What the daemon does after a custody change is durable, besides the latch: the person at the
/// cabinet is told (display, buzzer), the front panel learns the outcome, a light goes off.
public enum CustodyEffect: Sendable, Equatable {
    case show(PanelMessage)
    case sound(PanelSound)
    /// Tells the front panel's state machine how a deposit it asked for went.
    case panel(PanelOutcome)
    /// A door closed: its indicator goes dark.
    case lightOff(compartmentID: Int)
    /// A wrong code or PIN was counted (metrics).
    case wrongCodeCounted
}

/// The buzzer's patterns, as the custody core names them (the daemon maps them to the hardware's).
public enum PanelSound: Sendable, Equatable {
    case confirm
    case error
    case reminder
    case alarm
}

/// How a deposit the front panel asked for ended (see `PanelStateMachine`'s event methods).
public enum PanelOutcome: Sendable, Equatable {
    case depositDoorOpened(compartmentID: Int, label: String)
    /// The sensor saw the deposit door open: the courier is told to put the parcel in.
    case depositDoorSeenOpen(compartmentID: Int, label: String)
    case depositRefused(PanelMessage)
    case depositFinished(PanelMessage)
}
