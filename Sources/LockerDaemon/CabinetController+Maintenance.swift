import Foundation
import LockerCore
import LockerMaintenanceProtocol
import LockerStore

/// What the maintenance socket can see and do, run on the cabinet loop like every other input.
///
/// Every action follows the controller's rule: the audit record (who, what, why) is committed
/// before any latch moves, in the same transaction as the state it changes. Power failure: before
/// the commit, nothing happened and the technician sees no answer; after it, the record says what
/// was commanded and the door watch records what the door then did (opened, or latch.failed).
extension CabinetController {
    static func pendingName(_ operation: PendingOperation) -> String {
        switch operation {
        case .deposit: "deposit"
        case .cancelledDeposit: "cancelled_deposit"
        case .pickup: "pickup"
        case .retrieval: "retrieval"
        }
    }

    // MARK: - Audit

    /// Commits one audit record; returns its sequence number (nil: the store refused it).
    @discardableResult
    func recordMaintenance(
        _ action: String, by peer: MaintenancePeer, reason: String, result: String, detail: String = "",
        compartmentID: Int? = nil, doors: [String] = []
    ) -> Int64? {
        let event = Self.auditEvent(action, by: peer, reason: reason, result: result, detail: detail,
                                    compartmentID: compartmentID, doors: doors)
        return commitRecording(custody.recorded(event), "maintenance record")?.last?.sequence
    }

    /// A connection the maintenance socket turned away on its uid and gid: an audit record with
    /// who knocked (uid, gid, pid, user) and, from `RefusedPeerThrottle`, how many attempts of
    /// this peer it stands for and how many of anyone went unrecorded before it.
    func recordRefusedPeer(uid: UInt32, gid: UInt32, pid: Int32, user: String, detail: String, attempts: Int, suppressed: Int) {
        let event = CustodyEvent(.maintenanceAction, payload: [
            "action": "connect", "result": "refused_peer", "reason": "", "detail": .string(detail),
            "uid": .int(Int64(uid)), "gid": .int(Int64(gid)), "pid": .int(Int64(pid)), "user": .string(user),
            "attempts": .int(Int64(attempts)), "suppressed": .int(Int64(suppressed)),
        ])
        _ = commitRecording(custody.recorded(event), "refused peer record")
    }

    /// Commits a technician's change (no latch, no effects: the action pulses afterwards, door by
    /// door), applies it and publishes its events; returns them (nil: the store refused).
    private func commitRecording(_ change: CustodyChange, _ what: String) -> [RecordedEvent]? {
        guard let recorded = commit(what, { tx in try CabinetStore.write(change, in: tx) }) else { return nil }
        model.apply(change)
        publishNewEvents()
        return recorded
    }

    static func auditEvent(
        _ action: String, by peer: MaintenancePeer, reason: String, result: String, detail: String = "",
        compartmentID: Int? = nil, doors: [String] = []
    ) -> CustodyEvent {
        var payload: [String: EventValue] = [
            "action": .string(action), "uid": .int(Int64(peer.uid)), "user": .string(peer.userName),
            "reason": .string(reason), "result": .string(result),
        ]
        if !detail.isEmpty { payload["detail"] = .string(detail) }
        if !doors.isEmpty { payload["doors"] = .strings(doors) }
        return CustodyEvent(.maintenanceAction, compartmentID: compartmentID, payload: payload)
    }

    // MARK: - Actions

    /// Opens one door for a technician. Custody does not change: the parcels stay recorded in the
    /// compartment (a technician who removes them records that with the server's tools).
    func maintenanceOpen(_ doorLabel: String, reason: String, by peer: MaintenancePeer) async -> Result<ActionReport, MaintenanceFailure> {
        guard let compartment = model.compartment(labelled: doorLabel) else {
            return refuse("open", by: peer, reason: reason, MaintenanceFailure(.badRequest, "no door is labelled \"\(doorLabel)\""))
        }
        if let problem = cannotPulse(compartment.id) {
            return refuse("open", by: peer, reason: reason, MaintenanceFailure(.refused, problem), compartmentID: compartment.id)
        }
        let id = compartment.id
        let audit = Self.auditEvent("open", by: peer, reason: reason, result: "commanded", compartmentID: id)
        let change = custody.latchesPulsed([id], audit: audit, in: model)
        guard let recorded = commitRecording(change, "maintenance open") else {
            return .failure(MaintenanceFailure(.failed, "the store refused the audit record; the door was not opened"))
        }
        let updated = model.compartments[id]
        logger.notice("technician opened a door", metadata: [
            "compartment.label": "\(updated.label)", "maintenance.user": "\(peer.userName)", "maintenance.reason": "\(reason)",
        ])
        openedOnCommand[id] = "maintenance"
        let opened = await pulse(id)
        var result = ActionReport.DoorResult(door: updated.label, result: "done", detail: "latch pulsed")
        if !opened {
            openedOnCommand[id] = nil
            result = ActionReport.DoorResult(door: updated.label, result: "failed", detail: "the board did not accept the unlock")
            recordMaintenance("open", by: peer, reason: reason, result: "failed", detail: result.detail, compartmentID: id)
        }
        return .success(ActionReport(auditSequence: recorded.last?.sequence, doors: [result]))
    }

    /// Opens every door that can be opened, one after another (a whole cabinet's latches pulsed
    /// at once would draw more current than a lock board's supply gives).
    func maintenanceOpenAll(reason: String, by peer: MaintenancePeer) async -> ActionReport {
        var results: [ActionReport.DoorResult] = []
        var openable: [Int] = []
        for compartment in model.compartments {
            if let problem = cannotPulse(compartment.id) {
                results.append(.init(door: compartment.label, result: "refused", detail: problem))
            } else {
                openable.append(compartment.id)
            }
        }
        let labels = openable.map(label)
        let audit = Self.auditEvent("open-all", by: peer, reason: reason, result: "commanded", doors: labels)
        guard let recorded = commitRecording(custody.latchesPulsed(openable, audit: audit, in: model), "maintenance open-all") else {
            return ActionReport(auditSequence: nil, doors: [.init(door: "*", result: "failed",
                                                                  detail: "the store refused the audit record; no door was opened")])
        }
        logger.notice("technician opened all doors", metadata: [
            "maintenance.user": "\(peer.userName)", "maintenance.reason": "\(reason)", "doors": "\(labels.count)",
        ])
        var failed: [String] = []
        for id in openable {
            if model.pending[id] == nil { openedOnCommand[id] = "maintenance" }
            if await pulse(id) {
                results.append(.init(door: label(id), result: "done", detail: "latch pulsed"))
            } else {
                openedOnCommand[id] = nil
                failed.append(label(id))
                results.append(.init(door: label(id), result: "failed", detail: "the board did not accept the unlock"))
            }
        }
        if !failed.isEmpty {
            recordMaintenance("open-all", by: peer, reason: reason, result: "failed", detail: "not opened: \(failed.joined(separator: ", "))",
                              doors: failed)
        }
        results.sort { $0.door < $1.door }
        return ActionReport(auditSequence: recorded.last?.sequence, doors: results)
    }

    /// Takes a door out of service: no new parcels, no pickups, until `enable`.
    func maintenanceQuarantine(_ doorLabel: String, reason: String, by peer: MaintenancePeer) -> Result<ActionReport, MaintenanceFailure> {
        guard let compartment = model.compartment(labelled: doorLabel) else {
            return refuse("quarantine", by: peer, reason: reason, MaintenanceFailure(.badRequest, "no door is labelled \"\(doorLabel)\""))
        }
        let id = compartment.id
        if let pending = model.pending[id] {
            return refuse("quarantine", by: peer, reason: reason,
                          MaintenanceFailure(.refused, "door \(compartment.label) is in use (\(Self.pendingName(pending))); try again when it is closed"),
                          compartmentID: id)
        }
        if compartment.state == .quarantined {
            return refuse("quarantine", by: peer, reason: reason,
                          MaintenanceFailure(.refused, "door \(compartment.label) is already quarantined: \(compartment.quarantineReason ?? "")"),
                          compartmentID: id)
        }
        let audit = Self.auditEvent("quarantine", by: peer, reason: reason, result: "done", compartmentID: id)
        let change = custody.quarantined(id, reason: "technician \(peer.userName): \(reason)", audit: audit, in: model)
        guard let recorded = commitRecording(change, "maintenance quarantine") else {
            return .failure(MaintenanceFailure(.failed, "the store refused the change; door \(compartment.label) is unchanged"))
        }
        return .success(ActionReport(auditSequence: recorded.last?.sequence,
                                     doors: [.init(door: compartment.label, result: "done", detail: "quarantined")]))
    }

    /// Puts a quarantined or disabled door back into service: occupied (or overdue) when parcels
    /// are still recorded in it, so their recipients' codes work again; otherwise available.
    func maintenanceEnable(_ doorLabel: String, reason: String, by peer: MaintenancePeer) -> Result<ActionReport, MaintenanceFailure> {
        guard let compartment = model.compartment(labelled: doorLabel) else {
            return refuse("enable", by: peer, reason: reason, MaintenanceFailure(.badRequest, "no door is labelled \"\(doorLabel)\""))
        }
        let id = compartment.id
        guard compartment.state == .quarantined || compartment.state == .disabled else {
            return refuse("enable", by: peer, reason: reason,
                          MaintenanceFailure(.refused, "door \(compartment.label) is \(compartment.state.rawValue), not quarantined or disabled"),
                          compartmentID: id)
        }
        let audit = Self.auditEvent("enable", by: peer, reason: reason, result: "done", compartmentID: id)
        guard let recorded = commitRecording(custody.enabled(id, audit: audit, in: model), "maintenance enable") else {
            return .failure(MaintenanceFailure(.failed, "the store refused the change; door \(compartment.label) is unchanged"))
        }
        return .success(ActionReport(auditSequence: recorded.last?.sequence, doors: [
            .init(door: compartment.label, result: "done", detail: "now \(model.compartments[id].state.rawValue)"),
        ]))
    }

    // MARK: - Self-test

    /// The doors a self-test will pulse: the named ones, or every empty, closed, idle door.
    /// Doors holding parcels are never pulsed by a self-test (that is `open`, with a reason).
    func selftestPlan(_ labels: [String]?) -> Result<(doors: [Int], skipped: [SelftestResult]), MaintenanceFailure> {
        var chosen: [Int] = []
        var skipped: [SelftestResult] = []
        let candidates: [Compartment]
        if let labels, !labels.isEmpty {
            var named: [Compartment] = []
            for text in labels {
                guard let compartment = model.compartment(labelled: text) else {
                    return .failure(MaintenanceFailure(.badRequest, "no door is labelled \"\(text)\""))
                }
                named.append(compartment)
            }
            candidates = named
        } else {
            candidates = model.compartments
        }
        for compartment in candidates {
            if let problem = cannotSelftest(compartment.id) {
                skipped.append(SelftestResult(door: compartment.label, outcome: "skipped", detail: problem))
            } else {
                chosen.append(compartment.id)
            }
        }
        return .success((chosen, skipped))
    }

    /// Pulses one door and hands `reply` the outcome once the door watch knows it: the sensor saw
    /// the door open (passed), or it did not within the confirmation time (failed: the door watch
    /// quarantines it and records latch.failed, as for any latch that does not open).
    func startSelftest(_ id: Int, reply: CheckedContinuation<SelftestResult, Never>) async {
        let doorLabel = label(id)
        if let problem = cannotSelftest(id) {
            reply.resume(returning: SelftestResult(door: doorLabel, outcome: "skipped", detail: problem))
            return
        }
        guard commitRecording(custody.latchesPulsed([id], audit: nil, in: model), "self-test pulse") != nil else {
            reply.resume(returning: SelftestResult(door: doorLabel, outcome: "failed", detail: "the store refused the write; not pulsed"))
            return
        }
        // While it is tested the door is out of assignment: a courier must not be sent to it.
        model.setOnline(false, compartmentIDs: [id])
        doorOpenWaiters[id] = { failure in
            reply.resume(returning: failure.map { SelftestResult(door: doorLabel, outcome: "failed", detail: $0) }
                ?? SelftestResult(door: doorLabel, outcome: "passed", detail: "the sensor saw the door open"))
        }
        _ = await pulse(id)
    }

    /// Answers a waiting self-test: nil when the door opened, else why not. Every path that
    /// settles or resets a door's watch calls this, so no self-test waits for ever.
    func resolveDoorWaiter(_ id: Int, failure: String?) {
        guard let waiter = doorOpenWaiters.removeValue(forKey: id) else { return }
        if !offlineBoards.contains(map.address(of: id).board) { model.setOnline(true, compartmentIDs: [id]) }
        waiter(failure)
    }

    /// The loop ended: every waiting self-test is answered.
    public func abandonDoorWaiters() {
        for id in Array(doorOpenWaiters.keys) { resolveDoorWaiter(id, failure: "lockerd is stopping") }
    }

    // MARK: - Private

    private func cannotPulse(_ id: Int) -> String? {
        let address = map.address(of: id)
        if offlineBoards.contains(address.board) { return "board \(address.board) is offline" }
        if let pending = model.pending[id] { return "door \(label(id)) is in use (\(Self.pendingName(pending)))" }
        if doors[id].isOpen { return "door \(label(id)) is already open" }
        if doorOpenWaiters[id] != nil { return "door \(label(id)) is being tested" }
        return nil
    }

    private func cannotSelftest(_ id: Int) -> String? {
        if let problem = cannotPulse(id) { return problem }
        if let parcels = model.liveParcels[id], !parcels.isEmpty {
            return "holds \(parcels.count) parcel(s): open it with a reason instead"
        }
        if model.compartments[id].state == .reserved { return "reserved for a deposit" }
        return nil
    }

    private func refuse(
        _ action: String, by peer: MaintenancePeer, reason: String, _ failure: MaintenanceFailure, compartmentID: Int? = nil
    ) -> Result<ActionReport, MaintenanceFailure> {
        recordMaintenance(action, by: peer, reason: reason, result: failure.code.rawValue, detail: failure.message,
                          compartmentID: compartmentID)
        return .failure(failure)
    }
}
