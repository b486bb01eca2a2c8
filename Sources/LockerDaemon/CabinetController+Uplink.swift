import Foundation
import LockerCore
import LockerMaintenanceProtocol
import LockerStore
import Logging

/// The uplink's halt on the cabinet loop: raised when the server reports a conflict, lifted by a
/// technician. Both are one commit each, so the record always says when and why the upload
/// stopped and who resumed it.
extension CabinetController {
    /// Records the halt and its `uplink.halted` alarm in one commit (the uplink service asks).
    /// Power failure: before the commit nothing is halted and the uplink meets the conflict again;
    /// after it, a restarted daemon stays halted. Returns false when the store refused.
    func recordUplinkHalt(_ halt: UplinkHalt) -> Bool {
        let committed = commit("uplink halt") { tx -> Bool in
            try tx.haltUplink(halt)
            _ = try tx.append(halt.alarmEvent)
            return true
        } ?? false
        publishNewEvents()
        return committed
    }

    /// The broker said another client took this cabinet's session (a cloned card): an alarm,
    /// at most once an hour, instead of a silent tug of war. False when nothing was recorded.
    @discardableResult
    func recordUplinkSessionTakenOver(broker: String) -> Bool {
        let now = clock.now()
        let change = custody.uplinkSessionTakenOver(broker: broker, lastAlarm: lastSessionTakeoverAlarm, now: now)
        guard !change.events.isEmpty, commitAndApply(change, "uplink session taken over") else { return false }
        lastSessionTakeoverAlarm = now
        publishNewEvents()
        return true
    }

    /// `lockerctl uplink resume`: lifts the halt after people resolved the conflict, with the
    /// audit record in the same commit. The uplink sends again at once (new events wake it).
    func maintenanceResumeUplink(reason: String, by peer: MaintenancePeer) -> Result<ActionReport, MaintenanceFailure> {
        let recorded = commit("uplink resume") { tx -> (UplinkHalt, RecordedEvent)? in
            guard let lifted = try tx.clearUplinkHalt() else { return nil }
            let detail = "lifted \(lifted.code) at event \(lifted.sequence.map(String.init) ?? "?") of epoch \(lifted.epoch)"
            return (lifted, try tx.append(Self.auditEvent("uplink.resume", by: peer, reason: reason, result: "done", detail: detail)))
        }
        switch recorded {
        case nil:
            return .failure(MaintenanceFailure(.failed, "the store refused the change; the upload stays halted"))
        case .some(nil):
            recordMaintenance("uplink.resume", by: peer, reason: reason, result: "refused", detail: "the upload was not halted")
            return .failure(MaintenanceFailure(.refused, "the upload is not halted; nothing to resume"))
        case .some(.some(let (lifted, audit))):
            publishNewEvents()
            logger.notice("uplink resumed by a technician", metadata: [
                "maintenance.user": "\(peer.userName)", "uplink.halt_code": "\(lifted.code)", "uplink.halt_epoch": "\(lifted.epoch)",
            ])
            return .success(ActionReport(auditSequence: audit.sequence, doors: []))
        }
    }
}
