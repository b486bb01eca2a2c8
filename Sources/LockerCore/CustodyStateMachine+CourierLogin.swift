public import Foundation

/// Courier login and the technician's lockout controls. A courier's PIN is checked against its
/// own throttle per courier id, never against the keypad's lockout: a prankster typing wrong
/// pickup codes cannot keep couriers out, and a guesser of one courier's PIN does not lock out
/// the others (or the residents).
extension CustodyStateMachine {
    /// The throttle key every id that is no courier shares: the map stays as small as the
    /// courier list however many ids a guesser types.
    public static let unknownCourierKey = "~unknown"

    public struct CourierLoginOutcome: Sendable, Equatable {
        public var change: CustodyChange
        public var admitted: Bool
    }

    /// A courier id and PIN were typed.
    /// - Parameters:
    ///   - known: the id is in the configuration's or the server's courier list.
    ///   - pinMatches: the PIN is that courier's (the daemon compared it in constant time).
    public func courierPINEntered(courierID: String, known: Bool, pinMatches: Bool, in model: CabinetModel, now: Date)
        -> CourierLoginOutcome
    {
        let key = known ? courierID : Self.unknownCourierKey
        let current = model.courierGuards[key] ?? CodeAttemptGuard()
        if case .lockedOut(let seconds) = current.verdict(now: now) {
            // Not even checked while locked (no oracle), and said plainly.
            return CourierLoginOutcome(change: CustodyChange(effects: [.sound(.error), .show(.courierLockedOut(seconds: seconds))]),
                                       admitted: false)
        }
        var change = CustodyChange()
        if known && pinMatches {
            if model.courierGuards[key] != nil { change.courierGuards = [.init(courierID: key, guard: nil)] }
            return CourierLoginOutcome(change: change, admitted: true)
        }
        var next = current
        let outcome = next.recordFailure(now: now, policy: attemptPolicy)
        change.courierGuards = [.init(courierID: key, guard: next)]
        change.effects = [.sound(.error)]
        if case .lockedOut(let seconds) = outcome {
            change.record(CustodyEvent(.courierLockout, payload: [
                "courier_id": .string(key), "consecutive_failures": .int(Int64(next.consecutiveFailures)),
                "lockout_seconds": .int(Int64(seconds)),
            ]))
            change.effects.append(.show(.courierLockedOut(seconds: seconds)))
        }
        return CourierLoginOutcome(change: change, admitted: false)
    }

    /// `lockerctl lockout clear`: the keypad's count and every courier throttle are forgotten,
    /// recorded with who asked and what was cleared.
    public func lockoutCleared(by user: String, uid: Int64, in model: CabinetModel, now: Date) -> CustodyChange {
        var change = CustodyChange()
        var cleared = model.attemptGuard
        cleared.clear()
        change.attemptGuard = cleared
        change.courierGuards = model.courierGuards.keys.sorted().map { .init(courierID: $0, guard: nil) }
        var locked: Int64 = 0
        if case .lockedOut(let seconds) = model.attemptGuard.verdict(now: now) { locked = Int64(seconds) }
        change.record(CustodyEvent(.lockoutCleared, payload: [
            "user": .string(user), "uid": .int(uid),
            "consecutive_failures": .int(Int64(model.attemptGuard.consecutiveFailures)), "seconds_left": .int(locked),
            "courier_ids": .strings(model.courierGuards.keys.sorted()),
        ]))
        return change
    }
}
