public import FoundationEssentials

/// `lockout`: the keypad's wrong-code throttle and each courier id's PIN throttle, as they stand
/// (`lockout.clear` answers with the state after clearing).
public struct LockoutReport: Sendable, Codable, Equatable {
    /// One throttle: how many wrong attempts it counts, and until when it refuses.
    public struct Throttle: Sendable, Codable, Equatable {
        /// The courier id (nil for the keypad's).
        public var courierID: String?
        public var consecutiveFailures: Int
        /// Set while it refuses; nil when attempts are allowed.
        public var lockedUntil: Date?
        /// Seconds until it allows again (0 when it allows now).
        public var secondsLeft: Int
        public var lastFailureAt: Date?

        public init(courierID: String? = nil, consecutiveFailures: Int, lockedUntil: Date?, secondsLeft: Int, lastFailureAt: Date?) {
            self.courierID = courierID
            self.consecutiveFailures = consecutiveFailures
            self.lockedUntil = lockedUntil
            self.secondsLeft = secondsLeft
            self.lastFailureAt = lastFailureAt
        }
    }

    public var keypad: Throttle
    /// Courier ids with wrong PINs counted, by id.
    public var couriers: [Throttle]
    /// The audit record of a `lockout.clear` (nil for `lockout`).
    public var auditSequence: Int64?

    public init(keypad: Throttle, couriers: [Throttle], auditSequence: Int64? = nil) {
        self.keypad = keypad
        self.couriers = couriers
        self.auditSequence = auditSequence
    }
}
