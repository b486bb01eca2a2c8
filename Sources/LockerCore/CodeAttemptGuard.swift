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
        /// The cap: no lockout is longer, so a prankster keeps residents who type codes out for at
        /// most this long per wrong code (QR codes and couriers are never locked out by the keypad).
        public var maximumLockoutSeconds: Double
        /// Wrong codes are forgotten only after this long without one (not after a right code:
        /// otherwise every real pickup would hand a guesser a fresh set of free tries).
        public var forgetAfterSeconds: Double

        public init(freeAttempts: Int = 5, baseLockoutSeconds: Double = 30, maximumLockoutSeconds: Double = 1_200,
                    forgetAfterSeconds: Double = 86_400) {
            self.freeAttempts = max(1, freeAttempts)
            self.baseLockoutSeconds = baseLockoutSeconds
            self.maximumLockoutSeconds = maximumLockoutSeconds
            self.forgetAfterSeconds = forgetAfterSeconds
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
    /// When the last wrong code came (nil: none since the count was last forgotten).
    public var lastFailureAt: Date?

    public init(consecutiveFailures: Int = 0, lockedUntil: Date? = nil, lastFailureAt: Date? = nil) {
        self.consecutiveFailures = consecutiveFailures
        self.lockedUntil = lockedUntil
        self.lastFailureAt = lastFailureAt
    }

    public func verdict(now: Date) -> Verdict {
        guard let lockedUntil, lockedUntil > now else { return .allowed }
        return .lockedOut(secondsLeft: Int(lockedUntil.timeIntervalSince(now).rounded(.up)))
    }

    public mutating func recordFailure(now: Date, policy: Policy) -> FailureOutcome {
        if let lastFailureAt, now.timeIntervalSince(lastFailureAt) >= policy.forgetAfterSeconds, verdict(now: now) == .allowed {
            consecutiveFailures = 0
        }
        lastFailureAt = now
        consecutiveFailures += 1
        let overLimit = consecutiveFailures - policy.freeAttempts
        guard overLimit >= 0 else { return .triesLeft(policy.freeAttempts - consecutiveFailures) }
        // 30 s, 60 s, 120 s, ... capped: with eight-digit codes, slow enough that guessing takes a century.
        let exponent = min(overLimit, 20)
        let seconds = min(policy.baseLockoutSeconds * Double(1 << exponent), policy.maximumLockoutSeconds)
        lockedUntil = now.addingTimeInterval(seconds)
        return .lockedOut(seconds: Int(seconds))
    }

    /// A technician cleared the lockout (`lockerctl lockout clear`): everything is forgotten.
    public mutating func clear() {
        consecutiveFailures = 0
        lockedUntil = nil
        lastFailureAt = nil
    }

    /// The longest stretch of wrong guesses this policy allows, per day, at the fastest steady
    /// rate: one wrong code per capped lockout, plus the free ones of a fresh count. Used for the
    /// README's arithmetic and the configuration's guessing-time check.
    public static func maximumGuessesPerDay(policy: Policy) -> Double {
        86_400 / policy.maximumLockoutSeconds + Double(policy.freeAttempts)
    }

    /// Expected years for a guesser to open any one of `occupiedDoors` doors with `codeLength`
    /// digit codes at `maximumGuessesPerDay`: any of the doors will do, so on average one guess
    /// in 10^length / doors hits one.
    public static func expectedYearsToGuess(codeLength: Int, occupiedDoors: Int, policy: Policy) -> Double {
        let guesses = pow(10, Double(codeLength)) / Double(max(1, occupiedDoors))
        return guesses / maximumGuessesPerDay(policy: policy) / 365.25
    }
}
