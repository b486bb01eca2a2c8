public enum BuzzerPattern: String, Sendable, Equatable {
    /// Key accepted / door opened.
    case confirm
    /// Wrong code, refused scan.
    case error
    /// Please close the door.
    case reminder
    /// Door forced or left open: loud and long.
    case alarm
}

public protocol Buzzer: Sendable {
    func play(_ pattern: BuzzerPattern) async
}
