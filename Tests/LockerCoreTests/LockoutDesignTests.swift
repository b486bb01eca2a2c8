import Foundation
@testable import LockerCore
import Testing

/// The lockout stops guessers but not residents: a right code does not refill a guesser's free
/// tries, couriers have a throttle of their own per id that the keypad lockout never touches,
/// and the display says the truth about what still works.
@Suite struct LockoutDesignTests {
    static let t0 = CustodyStateMachineTests.t0
    static let machine = CustodyStateMachineTests.machine

    @Test func aRightCodeDoesNotGiveTheGuesserFreshTries() {
        var model = CustodyStateMachineTests.cabinet()
        model.apply(Self.machine.wrongCode(in: model, now: Self.t0))
        model.apply(Self.machine.wrongCode(in: model, now: Self.t0))
        let pickup = Self.machine.codeEntered(codeHash: "h:111111", in: model, now: Self.t0)
        #expect(pickup.latch == 1)
        #expect(pickup.attemptGuard == nil, "the count of wrong codes is kept")
        model.apply(pickup)
        // Three free attempts in this policy: the third wrong code since the quiet start locks.
        let third = Self.machine.wrongCode(in: model, now: Self.t0.addingTimeInterval(5))
        #expect(third.effects.contains(.show(.lockedOut(seconds: 30))), "\(third.effects)")
    }

    @Test func wrongCodesAreForgottenAfterAQuietDay() {
        var guardState = CodeAttemptGuard()
        let policy = CodeAttemptGuard.Policy(freeAttempts: 3)
        _ = guardState.recordFailure(now: Self.t0, policy: policy)
        _ = guardState.recordFailure(now: Self.t0, policy: policy)
        #expect(guardState.recordFailure(now: Self.t0.addingTimeInterval(86_400), policy: policy) == .triesLeft(2))
    }

    struct CourierCase: CustomTestStringConvertible, Sendable {
        var name: String
        var keypadLocked: Bool
        var courierFailures: Int
        var known: Bool
        var pinMatches: Bool
        var admitted: Bool
        var shown: PanelMessage?
        var testDescription: String { name }
    }

    static let courierCases: [CourierCase] = [
        CourierCase(name: "a locked keypad does not keep a courier with the right PIN out", keypadLocked: true,
                    courierFailures: 0, known: true, pinMatches: true, admitted: true, shown: nil),
        CourierCase(name: "a wrong PIN is refused without counting on the keypad", keypadLocked: false, courierFailures: 0,
                    known: true, pinMatches: false, admitted: false, shown: nil),
        CourierCase(name: "the third wrong PIN for one id locks that id", keypadLocked: false, courierFailures: 2,
                    known: true, pinMatches: false, admitted: false, shown: .courierLockedOut(seconds: 30)),
        CourierCase(name: "a locked courier id is not checked, even with the right PIN", keypadLocked: false,
                    courierFailures: 3, known: true, pinMatches: true, admitted: false, shown: .courierLockedOut(seconds: 30)),
        CourierCase(name: "unknown ids share one throttle", keypadLocked: false, courierFailures: 0, known: false,
                    pinMatches: false, admitted: false, shown: nil),
    ]

    @Test(arguments: courierCases)
    func courierLogin(_ c: CourierCase) {
        let keypad = c.keypadLocked
            ? CodeAttemptGuard(consecutiveFailures: 9, lockedUntil: Self.t0.addingTimeInterval(600), lastFailureAt: Self.t0)
            : CodeAttemptGuard()
        var model = CustodyStateMachineTests.cabinet(attemptGuard: keypad)
        for _ in 0..<c.courierFailures {
            model.apply(Self.machine.courierPINEntered(courierID: "1001", known: true, pinMatches: false, in: model,
                                                       now: Self.t0).change)
        }
        let outcome = Self.machine.courierPINEntered(courierID: "1001", known: c.known, pinMatches: c.pinMatches, in: model,
                                                     now: Self.t0)
        #expect(outcome.admitted == c.admitted)
        #expect(outcome.change.attemptGuard == nil, "the keypad's count is never touched by courier logins")
        let shown = outcome.change.effects.compactMap { effect -> PanelMessage? in
            if case .show(let message) = effect { return message }
            return nil
        }
        #expect(shown == (c.shown.map { [$0] } ?? []))
        if !c.known {
            #expect(outcome.change.courierGuards.map(\.courierID) == [CustodyStateMachine.unknownCourierKey])
        }
    }

    @Test func theLockoutMessageSaysWhatStillWorks() {
        #expect(PanelMessage.lockedOut(seconds: 240).description == "Keypad locked for 4 min. QR codes and couriers still work.")
        #expect(PanelMessage.lockedOut(seconds: 30).description == "Keypad locked for 30 s. QR codes and couriers still work.")
    }

    @Test func clearingIsRecordedAndForgetsEveryThrottle() {
        var model = CustodyStateMachineTests.cabinet(attemptGuard: CodeAttemptGuard(
            consecutiveFailures: 7, lockedUntil: Self.t0.addingTimeInterval(120), lastFailureAt: Self.t0))
        model.apply(Self.machine.courierPINEntered(courierID: "1001", known: true, pinMatches: false, in: model, now: Self.t0).change)
        let change = Self.machine.lockoutCleared(by: "tech", uid: 1000, in: model, now: Self.t0)
        #expect(change.events.map(\.kind) == [.lockoutCleared])
        #expect(change.events.first?.payload["seconds_left"] == .int(120))
        model.apply(change)
        #expect(model.attemptGuard == CodeAttemptGuard())
        #expect(model.courierGuards.isEmpty)
    }

    @Test func theDefaultsReachAHundredYearsOnlyWithLongerCodes() {
        let policy = CodeAttemptGuard.Policy(freeAttempts: 5, baseLockoutSeconds: 30, maximumLockoutSeconds: 1_200)
        #expect(CodeAttemptGuard.maximumGuessesPerDay(policy: policy) == 77)
        #expect(CodeAttemptGuard.expectedYearsToGuess(codeLength: 6, occupiedDoors: 30, policy: policy) < 2)
        #expect(CodeAttemptGuard.expectedYearsToGuess(codeLength: 8, occupiedDoors: 30, policy: policy) >= 100)
    }
}
