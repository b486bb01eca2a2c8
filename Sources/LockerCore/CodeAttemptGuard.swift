public import Foundation

/// Counts wrong pickup codes and locks the keypad out with growing delays.
///
/// Pure value: the daemon persists it after every change so that a restart (or pulling the plug)
/// does not hand a guesser a fresh set of tries.
public struct CodeAttemptGuard: Sendable, Equatable, Codable {
    public struct Policy: Sendable, Equatable, Codable {
        /// The wrong code that starts the first lockout (the fifth by default: four answer
        /// "n tries left", the fifth locks). At least 1.
        public var freeAttempts: Int
        /// First lockout; each further wrong code doubles it.
        public var baseLockoutSeconds: Double
        public var maximumLockoutSeconds: Double

        public init(freeAttempts: Int = 5, baseLockoutSeconds: Double = 30, maximumLockoutSeconds: Double = 900) {
            self.freeAttempts = max(1, freeAttempts)
            self.baseLockoutSeconds = baseLockoutSeconds
            self.maximumLockoutSeconds = maximumLockoutSeconds
        }
    }

    public enum Verdict: Sendable, Equatable {
        /// The code may be checked.
        case allowed
        /// Locked out: the code is not even checked (no oracle for a guesser).
        case lockedOut(secondsLeft: Int)
    }

    public enum FailureOutcome: Sendable, Equatable {
        case triesLeft(Int)
        case lockedOut(seconds: Int)
    }

    public var consecutiveFailures: Int
    public var lockedUntil: Date?

    public init(consecutiveFailures: Int = 0, lockedUntil: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.lockedUntil = lockedUntil
    }

    public func verdict(now: Date) -> Verdict {
        guard let lockedUntil, lockedUntil > now else { return .allowed }
        return .lockedOut(secondsLeft: Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
    }

    public mutating func recordFailure(now: Date, policy: Policy) -> FailureOutcome {
        consecutiveFailures += 1
        let overLimit = consecutiveFailures - policy.freeAttempts
        guard overLimit >= 0 else { return .triesLeft(policy.freeAttempts - consecutiveFailures) }
        // 30 s, 60 s, 120 s, ... capped: slow enough that guessing a six-digit code takes years.
        let exponent = min(overLimit, 20)
        let seconds = min(policy.baseLockoutSeconds * Double(1 << exponent), policy.maximumLockoutSeconds)
        lockedUntil = now.addingTimeInterval(seconds)
        return .lockedOut(seconds: Int(seconds))
    }

    public mutating func recordSuccess() {
        consecutiveFailures = 0
        lockedUntil = nil
    }
}
