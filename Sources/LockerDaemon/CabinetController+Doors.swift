import Foundation
import LockerCore
import LockerHAL
import LockerStore

/// The door-supervision room: door sensors, the door watch's alarms, latches that did not open,
/// boards that go silent and come back. What a closed door settles is decided by
/// `PendingOperationSettlement` and the flows of `CustodyStateMachine`; this file carries the
/// changes out and touches only the controller.
extension CabinetController {
    func doorChanged(_ id: Int, isOpen: Bool) async {
        if let change = custody.doorSensorChanged(id, isOpen: isOpen, in: model) { await carryOut(change, "door state") }
        for action in doors[id].sensorChanged(isOpen: isOpen, now: clock.now()) {
            await doorAction(action, compartmentID: id)
        }
    }

    func doorAction(_ action: DoorWatchStateMachine.Action, compartmentID id: Int) async {
        switch action {
        case .openedAsCommanded:
            resolveDoorWaiter(id, failure: nil)
            if let reason = openedOnCommand[id], model.pending[id] == nil {
                await carryOut(custody.doorMovedOnCommand(id, isOpen: true, openedFor: reason, in: model), "door opened on command")
            }
            if let seen = custody.depositDoorSeenOpen(id, in: model) { await carryOut(seen, "deposit door seen open") }
            await batchDoorSettled(id, opened: true)
        case .forcedOpen:
            logger.warning("door opened without a command", metadata: ["compartment.label": "\(label(id))"])
            await carryOut(custody.doorForcedOpen(id, in: model), "forced-open alarm")
        case .latchDidNotOpen:
            openedOnCommand[id] = nil
            resolveDoorWaiter(id, failure: "the door did not open within \(Int(configuration.doorOpenConfirmationSeconds)) s "
                + "after the pulse (latch, wiring or sensor); quarantined")
            if case .deposit = model.pending[id] {
                await depositLatchFailed(id, reportedByCourier: false)
            } else {
                await carryOut(custody.latchDidNotOpen(id, in: model), "latch failure")
                await batchDoorSettled(id, opened: false)
            }
        case .remindToClose:
            await show(.pleaseCloseDoor(label: label(id)))
            await buzzer.play(.reminder)
        case .leftOpenAlarm(let seconds):
            logger.warning("door left open", metadata: ["compartment.label": "\(label(id))", "door.open_seconds": "\(seconds)"])
            await carryOut(custody.doorLeftOpen(id, openSeconds: seconds, in: model), "left-open alarm")
        case .closed(let afterAlarm):
            await carryOut(custody.doorClosed(id, afterAlarm: afterAlarm, in: model), "alarm end")
            if let reason = openedOnCommand.removeValue(forKey: id) {
                await carryOut(custody.doorMovedOnCommand(id, isOpen: false, openedFor: reason, in: model), "door closed after command")
            }
            await doorClosed(id)
        }
    }

    /// A door closed: settle whatever it was opened for.
    private func doorClosed(_ id: Int) async {
        guard let operation = model.pending[id] else { return }
        let interrupted: Bool
        switch operation {
        case .deposit: interrupted = !panel.isDepositOpen(compartmentID: id)
        case .cancelledDeposit, .pickup, .retrieval: interrupted = false
        }
        await settle(id, operation, interrupted: interrupted)
    }

    /// Settles what a closed door was opened for (see `CustodyStateMachine.pendingDoorClosed`).
    func settle(_ id: Int, _ operation: PendingOperation, interrupted: Bool) async {
        let now = clock.now()
        var temperature: [String: EventValue]?
        if case .pickup(let parcelIDs, _) = operation {
            // Read before the commit (a read inside the write transaction could not see it anyway).
            temperature = coldChainPayload(
                compartmentID: id, parcels: (model.liveParcels[id] ?? []).filter { parcelIDs.contains($0.id) }, until: now)
        }
        let model = self.model
        let custody = self.custody
        var generator = self.generator
        guard let change = custody.pendingDoorClosed(
            id, itemPresent: itemPresent[id], interrupted: interrupted, courierAtPanel: panel.isDepositOpen(compartmentID: id),
            in: model, now: now,
            issueCode: { intake, shared in
                custody.issueCode(for: intake, compartmentID: id, shared: shared, in: model, using: &generator)
            },
            seal: { code, trackingNumber in self.seal(code: code, trackingNumber: trackingNumber, compartmentID: id) },
            temperature: temperature)
        else {
            logger.critical("no free pickup code could be drawn", metadata: ["compartment.id": "\(id)"])
            return
        }
        guard await carryOut(change, "door closed: \(Self.pendingName(operation))") == .refusedByStore else { return }
        guard case .deposit = operation, !change.insertedParcels.isEmpty else {
            unsettledDoors.insert(id)
            return
        }
        // The deposit could not be recorded, but the parcel may be inside: out of service until
        // someone looks.
        if let release = custody.depositReleased(id, reason: "the store refused the deposit",
                                                 quarantine: "deposit could not be recorded: check the contents", in: self.model),
           await carryOut(release, "deposit release") == .refusedByStore {
            unsettledDoors.insert(id)
        }
        await perform(panel.depositFinished(.depositFailed, now: now))
    }

    /// One door's latch is reported faulty by its board: that door is quarantined with an alarm.
    func latchFaulted(_ id: Int, detail: String) async {
        logger.error("latch fault", metadata: ["compartment.label": "\(label(id))", "error": "\(detail)"])
        if let change = custody.latchFaulted(id, detail: detail, in: model) { await carryOut(change, "latch fault") }
    }

    // MARK: - Boards

    func boardLost(_ board: Int, detail: String) async {
        guard offlineBoards.insert(board).inserted else { return }
        unwatchedSince[board] = unwatchedSince[board] ?? clock.now()
        for id in map.compartments(onBoard: board) { resolveDoorWaiter(id, failure: "board \(board) went offline: \(detail)") }
        logger.error("lock board offline", metadata: ["board.address": "\(board)", "error": "\(detail)"])
        model.setOnline(false, compartmentIDs: map.compartments(onBoard: board))
        await carryOut(custody.boardOffline(board, detail: detail), "board offline")
        // A batch retrieval awaiting a door of this board (pulsed, not yet seen open) would wait
        // for a sensor nobody reads: that door is given up now (its pending retrieval is settled
        // when the board is back). A pulse the board just refused is not awaited yet: `pulse`
        // reset its watch, and the batch gives it up itself.
        if let awaited = retrievalBatch?.current, map.compartments(onBoard: board).contains(awaited),
           case .unlocking = doors[awaited].phase {
            await batchDoorSettled(awaited, opened: false)
        }
    }

    func boardBack(_ board: Int) async {
        guard offlineBoards.contains(board), let link = boards[board] else { return }
        guard let status = try? await link.readStatus() else { return }
        offlineBoards.remove(board)
        logger.notice("lock board back online", metadata: ["board.address": "\(board)"])
        await carryOut(custody.boardOnline(board), "board online")
        // Its doors are re-read and reconciled before any of them is used again.
        await reconcile(board: board, status: status)
        model.setOnline(true, compartmentIDs: map.compartments(onBoard: board))
    }

    /// Makes the store agree with the sensors of one board and resolves operations that were
    /// interrupted (by a power failure or a board outage) while the door is closed.
    func reconcile(board: Int, status: LockBoardStatus) async {
        let now = clock.now()
        // Since when nobody watched these doors: the board went silent, or lockerd last recorded
        // anything before this start.
        let unwatchedSince = unwatchedSince.removeValue(forKey: board) ?? lastRecordedBeforeStart
        let outage = unwatchedSince.flatMap { $0 <= now ? DateInterval(start: $0, end: now) : nil }
        let channels = map.compartments(onBoard: board).map { map.address(of: $0).channel }
        if let missing = channels.first(where: { !status.doorOpen.indices.contains($0 - 1) }) {
            // A board that reports fewer doors than configured cannot be trusted with any of them.
            await boardLost(board, detail: "reports \(status.doorOpen.count) doors, but channel \(missing) is configured")
            return
        }
        for id in map.compartments(onBoard: board) {
            let channel = map.address(of: id).channel
            let sensorOpen = status.doorOpen[channel - 1]
            itemPresent[id] = status.itemPresent.flatMap { $0.indices.contains(channel - 1) ? $0[channel - 1] : nil }
            if let change = custody.doorReconciled(id, sensorOpen: sensorOpen, itemPresent: itemPresent[id], outage: outage,
                                                   in: model) {
                if change.events.contains(where: { $0.kind != .doorReconciled }) {
                    logger.warning("door changed while nobody watched it", metadata: [
                        "compartment.label": "\(label(id))", "events": "\(change.events.map(\.kind.rawValue))",
                    ])
                }
                await carryOut(change, "door reconciliation")
            }
            doors[id] = DoorWatchStateMachine(isOpen: sensorOpen, now: now)
            // A door found closed with an operation in flight is settled now; one found open is
            // settled when it closes.
            if !sensorOpen, let pending = model.pending[id] {
                await settle(id, pending, interrupted: true)
            }
        }
    }
}
