import Foundation
import LockerCore
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

/// Records `count` wrong codes, each one just after the previous lockout ended (as a patient
/// guesser would), and returns every outcome and the time of the last failure.
private func replayFailures(
    _ count: Int, on attemptGuard: inout CodeAttemptGuard, policy: CodeAttemptGuard.Policy = .init(), from start: Date = t0
) -> (outcomes: [CodeAttemptGuard.FailureOutcome], lastFailure: Date) {
    var now = start
    var outcomes: [CodeAttemptGuard.FailureOutcome] = []
    for _ in 0..<count {
        if let lockedUntil = attemptGuard.lockedUntil, lockedUntil > now { now = lockedUntil }
        now = now.addingTimeInterval(1)
        outcomes.append(attemptGuard.recordFailure(now: now, policy: policy))
    }
    return (outcomes, now)
}

@Suite("Pickup-code attempt guard")
struct CodeAttemptGuardTests {
    /// The default policy: five wrong codes (the display counts 4, 3, 2, 1 tries left), then 30 s
    /// doubling with every further wrong code up to 900 s.
    @Test(arguments: [
        (1, CodeAttemptGuard.FailureOutcome.triesLeft(4)),
        (2, .triesLeft(3)),
        (3, .triesLeft(2)),
        (4, .triesLeft(1)),
        (5, .lockedOut(seconds: 30)),
        (6, .lockedOut(seconds: 60)),
        (7, .lockedOut(seconds: 120)),
        (8, .lockedOut(seconds: 240)),
        (9, .lockedOut(seconds: 480)),
        (10, .lockedOut(seconds: 960)),
        (11, .lockedOut(seconds: 1_200)),
        (40, .lockedOut(seconds: 1_200)),
        (200, .lockedOut(seconds: 1_200)),
    ])
    func nthConsecutiveFailure(count: Int, outcome: CodeAttemptGuard.FailureOutcome) {
        var attemptGuard = CodeAttemptGuard()
        let (outcomes, lastFailure) = replayFailures(count, on: &attemptGuard)
        #expect(outcomes.last == outcome)
        #expect(attemptGuard.consecutiveFailures == count)
        if case .lockedOut(let seconds) = outcome {
            #expect(attemptGuard.lockedUntil == lastFailure.addingTimeInterval(Double(seconds)))
        } else {
            #expect(attemptGuard.lockedUntil == nil)
        }
    }

    @Test func aCustomPolicyCountsItsOwnFreeAttemptsAndCap() {
        let policy = CodeAttemptGuard.Policy(freeAttempts: 3, baseLockoutSeconds: 10, maximumLockoutSeconds: 25)
        var attemptGuard = CodeAttemptGuard()
        let (outcomes, _) = replayFailures(6, on: &attemptGuard, policy: policy)
        #expect(outcomes == [.triesLeft(2), .triesLeft(1), .lockedOut(seconds: 10), .lockedOut(seconds: 20),
                             .lockedOut(seconds: 25), .lockedOut(seconds: 25)])
    }

    @Test(arguments: [
        (0.0, CodeAttemptGuard.Verdict.lockedOut(secondsLeft: 30)),
        (0.5, .lockedOut(secondsLeft: 30)),  // partial seconds round up
        (1, .lockedOut(secondsLeft: 29)),
        (29.001, .lockedOut(secondsLeft: 1)),
        (30, .allowed),
        (31, .allowed),
        (86_400, .allowed),
    ])
    func verdictDuringAndAfterTheFirstLockout(secondsAfterFifthFailure: Double, verdict: CodeAttemptGuard.Verdict) {
        var attemptGuard = CodeAttemptGuard()
        for _ in 0..<4 { _ = attemptGuard.recordFailure(now: t0.addingTimeInterval(-20), policy: .init()) }
        #expect(attemptGuard.recordFailure(now: t0, policy: .init()) == .lockedOut(seconds: 30))
        #expect(attemptGuard.verdict(now: t0.addingTimeInterval(secondsAfterFifthFailure)) == verdict)
    }

    @Test func freeFailuresNeverLockOut() {
        var attemptGuard = CodeAttemptGuard()
        #expect(attemptGuard.verdict(now: t0) == .allowed)
        for attempt in 1...4 {
            _ = attemptGuard.recordFailure(now: t0.addingTimeInterval(Double(attempt)), policy: .init())
            #expect(attemptGuard.verdict(now: t0.addingTimeInterval(Double(attempt))) == .allowed)
        }
    }

    @Test func theLockoutKeepsDoublingAfterItExpiresUntilACodeIsRight() {
        var attemptGuard = CodeAttemptGuard()
        _ = replayFailures(5, on: &attemptGuard)
        // Waiting the lockout out does not reset the count: the next wrong code locks out longer.
        let afterExpiry = attemptGuard.lockedUntil!.addingTimeInterval(3_600)
        #expect(attemptGuard.verdict(now: afterExpiry) == .allowed)
        #expect(attemptGuard.recordFailure(now: afterExpiry, policy: .init()) == .lockedOut(seconds: 60))
        #expect(attemptGuard.verdict(now: afterExpiry.addingTimeInterval(59.5)) == .lockedOut(secondsLeft: 1))
    }

    @Test(arguments: [0, 3, 5, 9])
    func clearingResetsEverything(failuresBefore: Int) {
        var attemptGuard = CodeAttemptGuard()
        let (_, lastFailure) = replayFailures(failuresBefore, on: &attemptGuard)
        attemptGuard.clear()
        #expect(attemptGuard == CodeAttemptGuard())
        #expect(attemptGuard.verdict(now: lastFailure) == .allowed)
        #expect(attemptGuard.recordFailure(now: lastFailure, policy: .init()) == .triesLeft(4))
    }

    @Test(arguments: [0, 2, 5, 8, 30])
    func codableRoundTripKeepsTheLockout(failures: Int) throws {
        var attemptGuard = CodeAttemptGuard()
        let (_, lastFailure) = replayFailures(failures, on: &attemptGuard)
        let data = try JSONEncoder().encode(attemptGuard)
        let restored = try JSONDecoder().decode(CodeAttemptGuard.self, from: data)
        #expect(restored == attemptGuard)
        // A restart in the middle of a lockout does not hand out fresh tries.
        #expect(restored.verdict(now: lastFailure) == attemptGuard.verdict(now: lastFailure))
        var continued = restored
        var original = attemptGuard
        let later = lastFailure.addingTimeInterval(1_000)
        #expect(continued.recordFailure(now: later, policy: .init()) == original.recordFailure(now: later, policy: .init()))
    }

    @Test func policyIsCodableToo() throws {
        let policy = CodeAttemptGuard.Policy(freeAttempts: 3, baseLockoutSeconds: 12.5, maximumLockoutSeconds: 600)
        let restored = try JSONDecoder().decode(CodeAttemptGuard.Policy.self, from: JSONEncoder().encode(policy))
        #expect(restored == policy)
        #expect(CodeAttemptGuard.Policy() == .init(freeAttempts: 5, baseLockoutSeconds: 30, maximumLockoutSeconds: 1_200,
                                                   forgetAfterSeconds: 86_400))
    }
}
