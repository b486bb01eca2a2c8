public enum BuzzerPattern: String, Sendable, Equatable {
    /// Key accepted / door opened.
    case confirm
    /// Wrong code, refused scan.
    case error
    /// Please close the door.
    case reminder
    /// Door forced or left open: loud and long.
    case alarm

    /// A stretch of the rhythm: sounding or silent for `duration`.
    public struct Step: Sendable, Equatable {
        public var on: Bool
        public var duration: Duration

        public init(on: Bool, _ duration: Duration) {
            self.on = on
            self.duration = duration
        }
    }

    /// The rhythm, starting and ending with a beep (a buzzer is silent before and after).
    /// Short beeps read as feedback to a key, longer ones as a request; the alarm lasts long enough
    /// to be noticed across a room, and is played again by whoever wants it to go on.
    public var steps: [Step] {
        switch self {
        case .confirm:
            return [Step(on: true, .milliseconds(80))]
        case .error:
            return Self.beeps(3, on: .milliseconds(80), off: .milliseconds(80))
        case .reminder:
            return Self.beeps(2, on: .milliseconds(250), off: .milliseconds(250))
        case .alarm:
            return Self.beeps(5, on: .milliseconds(700), off: .milliseconds(300))
        }
    }

    private static func beeps(_ count: Int, on: Duration, off: Duration) -> [Step] {
        Array((0..<count).flatMap { _ in [Step(on: true, on), Step(on: false, off)] }.dropLast())
    }
}

public protocol Buzzer: Sendable {
    func play(_ pattern: BuzzerPattern) async
}
