import Foundation
import LockerCore
import LockerMaintenanceProtocol
import LockerStore

/// `lockerctl lockout`: the keypad's wrong-code lockout and the courier PIN throttles, shown and
/// cleared by a technician. The decision to clear is Core's (`CustodyStateMachine.lockoutCleared`,
/// which records `keypad.lockout_cleared` with what was cleared); the audit record with who asked
/// and why goes into the same commit.
///
/// Power failure: before the commit the lockout stands as it was (it is persisted) and the
/// technician saw no answer; after it, the lockout is gone and both records say who cleared it.
extension CabinetController {
    func lockoutReport(auditSequence: Int64? = nil) -> LockoutReport {
        let now = clock.now()
        func throttle(_ value: CodeAttemptGuard, courierID: String?) -> LockoutReport.Throttle {
            var secondsLeft = 0
            if case .lockedOut(let seconds) = value.verdict(now: now) { secondsLeft = seconds }
            return LockoutReport.Throttle(courierID: courierID, consecutiveFailures: value.consecutiveFailures,
                                          lockedUntil: secondsLeft > 0 ? value.lockedUntil : nil, secondsLeft: secondsLeft,
                                          lastFailureAt: value.lastFailureAt)
        }
        return LockoutReport(
            keypad: throttle(model.attemptGuard, courierID: nil),
            couriers: model.courierGuards.sorted { $0.key < $1.key }.map { throttle($0.value, courierID: $0.key) },
            auditSequence: auditSequence)
    }

    func maintenanceClearLockout(reason: String, by peer: MaintenancePeer) -> Result<LockoutReport, MaintenanceFailure> {
        let before = lockoutReport()
        var change = custody.lockoutCleared(by: peer.userName, uid: Int64(peer.uid), in: model, now: clock.now())
        let detail = "keypad: \(before.keypad.consecutiveFailures) wrong codes, \(before.keypad.secondsLeft) s locked; "
            + "\(before.couriers.count) courier id(s) throttled"
        change.record(Self.auditEvent("lockout.clear", by: peer, reason: reason, result: "done", detail: detail))
        let cleared = change
        guard let recorded = commit("lockout clear", { tx in try CabinetStore.write(cleared, in: tx) }) else {
            return .failure(MaintenanceFailure(.failed, "the store refused the change; the lockout stands"))
        }
        model.apply(change)
        publishNewEvents()
        logger.notice("keypad lockout cleared by a technician", metadata: [
            "maintenance.user": "\(peer.userName)", "lockout.failures": "\(before.keypad.consecutiveFailures)",
            "lockout.seconds_left": "\(before.keypad.secondsLeft)",
        ])
        return .success(lockoutReport(auditSequence: recorded.last?.sequence))
    }
}
