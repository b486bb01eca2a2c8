public import Foundation

/// Pickups: a resident's code (or signed QR code) opens the door; the door closing commits it.
///
/// Power failure at each step: before the door-opening commit, nothing happened (the resident
/// types the code again). After it and before or during the pulse, the store says "pickup door
/// opened" with the parcels still in custody; on restart the door sensor decides (closed with the
/// item sensor empty: pickup committed; otherwise the parcels stay and the code stays valid).
/// After the door closed and before the pickup commit: the same reconciliation.
extension CustodyStateMachine {
    /// A resident typed a complete code; `codeHash` is its keyed hash.
    public func codeEntered(codeHash hash: String, in model: CabinetModel, now: Date) -> CustodyChange {
        if case .lockedOut(let seconds) = model.attemptGuard.verdict(now: now) {
            // Locked out: the code is not even checked (no oracle for a guesser).
            return CustodyChange(effects: [.sound(.error), .show(.lockedOut(seconds: seconds))])
        }
        guard let id = model.compartmentID(forCodeHash: hash) else {
            if let window = model.graceWindows[hash], window.until > now, !window.reopened {
                return graceReopened(window, codeHash: hash, in: model)
            }
            return wrongCode(in: model, now: now)
        }
        let compartment = model.compartments[id]
        let parcels = model.liveParcels[id] ?? []
        if case .pickup = model.pending[id] {
            // Already open for this code (typed twice): say so rather than count a failure.
            return CustodyChange(effects: [.show(.pickupDoorOpen(label: compartment.label))])
        }
        guard model.pending[id] == nil, !model.offline.contains(id), !parcels.isEmpty,
              compartment.state == .occupied || compartment.state == .overdue
        else { return CustodyChange(effects: [.show(.doorUnavailable(label: compartment.label))]) }
        // A right code does not wipe the wrong ones: a guesser who also collects a parcel of their
        // own must not get a fresh set of free tries each time (they are forgotten only after a
        // quiet day, see `CodeAttemptGuard.Policy.forgetAfterSeconds`).
        var change = pickupDoorOpening(id, codeHash: hash, credentialID: nil, in: model)
        change.ifStoreRefuses = [.show(.pickupNotRecordable)]
        return change
    }

    /// A wrong pickup code: counted durably before the person sees the answer (pulling the plug
    /// after a wrong guess must not give the guesser the try back). Courier PINs have their own
    /// throttle (`courierPINEntered`) and never count here.
    public func wrongCode(courierPIN: Bool = false, in model: CabinetModel, now: Date) -> CustodyChange {
        var next = model.attemptGuard
        let outcome = next.recordFailure(now: now, policy: attemptPolicy)
        var change = CustodyChange()
        change.attemptGuard = next
        change.effects = [.wrongCodeCounted, .sound(.error)]
        switch outcome {
        case .triesLeft(let left):
            if !courierPIN { change.effects.append(.show(.wrongCode(triesLeft: left))) }
        case .lockedOut(let seconds):
            change.record(CustodyEvent(.codeLockout, payload: [
                "consecutive_failures": .int(Int64(next.consecutiveFailures)), "lockout_seconds": .int(Int64(seconds)),
            ]))
            change.effects.append(.show(.lockedOut(seconds: seconds)))
        }
        change.ifStoreRefuses = [.wrongCodeCounted, .show(.codesUncheckable)]
        return change
    }


    /// A pickup by a credential the central server signed (a QR code naming the parcel): the same
    /// custody steps as a typed code, with the credential recorded as used in the transaction that
    /// opens the door (a power failure leaves both or neither), so it never opens the door twice.
    /// - Parameter alreadyUsed: the store has this credential as used.
    public func credentialPresented(
        parcelID: Int64?, trackingNumber: String?, credentialID: String, alreadyUsed: Bool, in model: CabinetModel
    ) -> CustodyChange {
        guard let parcelID, let parcel = model.allLiveParcels.first(where: { $0.id == parcelID }),
              parcel.trackingNumber == trackingNumber
        else { return CustodyChange(effects: [.sound(.error), .show(.parcelGone)]) }
        let id = parcel.compartmentID
        let compartment = model.compartments[id]
        guard model.codeHash(ofCompartment: id) != nil else {
            // revoke_code ends every way in for this door, the QR code too.
            return CustodyChange(effects: [.sound(.error), .show(.codeWithdrawn)])
        }
        guard model.pending[id] == nil, !model.offline.contains(id),
              compartment.state == .occupied || compartment.state == .overdue
        else {
            // Refused before the credential is used: the resident can try again later.
            return CustodyChange(effects: [.show(.doorUnavailable(label: compartment.label))])
        }
        if alreadyUsed {
            return CustodyChange(effects: [.sound(.error), .show(.codeAlreadyUsed)])
        }
        var change = pickupDoorOpening(id, codeHash: "credential:" + credentialID, credentialID: credentialID, in: model)
        change.credentialUses = [.markUsed(credentialID)]
        change.ifLatchRefused = .credentialPickupNotOpened(credentialID: credentialID)
        change.ifStoreRefuses = [.show(.pickupNotRecordable)]
        return change
    }

    /// The door of a pickup closed and the parcels are gone: they leave custody.
    /// - Parameter temperature: the cold-chain summary of the parcels' stay, for the event.
    public func pickupCompleted(
        _ id: Int, parcelIDs: [Int64], codeHash: String, temperature: [String: EventValue]?, in model: CabinetModel, now: Date
    ) -> CustodyChange {
        var (change, record, taken) = parcelsLeft(id, parcelIDs: parcelIDs, as: .pickedUp, in: model)
        change.record(CustodyEvent(.pickupCommitted, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "parcel_ids": .ints(taken.map(\.id)), "tracking_numbers": .strings(taken.map(\.trackingNumber)),
        ]).merging(temperature ?? [:]) { first, _ in first }))
        change.graceWindow = .open(codeHash: codeHash, window: CabinetModel.GraceWindow(
            compartmentID: id, until: now.addingTimeInterval(pickupGraceSeconds)))
        change.effects = [.show(.pickupDone(label: record.compartment.label))]
        return change
    }

    /// The door of a pickup closed with the parcels still inside (or nobody can tell): they stay
    /// in custody and their code stays valid.
    /// - Parameter interrupted: nobody is known to be at the cabinet: nothing is shown.
    public func pickupNotTaken(_ id: Int, reason: String, interrupted: Bool, in model: CabinetModel) -> CustodyChange {
        let label = model.compartments[id].label
        var change = pendingCleared(id, event: CustodyEvent(.pickupNotTaken, compartmentID: id, payload: Self.payload(label, [
            "reason": .string(reason),
        ])), in: model)
        if !interrupted { change.effects = [.show(.parcelStillInside(label: label))] }
        return change
    }

    // MARK: - Private

    private func pickupDoorOpening(_ id: Int, codeHash: String, credentialID: String?, in model: CabinetModel) -> CustodyChange {
        let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.latchCycles += 1
        record.pending = .pickup(parcelIDs: parcelIDs, codeHash: codeHash)
        change.write(record)
        var payload = Self.payload(record.compartment.label, ["parcel_ids": .ints(parcelIDs)])
        if let credentialID { payload["credential_id"] = .string(credentialID) }
        change.record(CustodyEvent(.pickupDoorOpened, compartmentID: id, payload: payload))
        change.latch = id
        change.ifLatchRefused = .pickupNotTaken
        change.effects = [.show(.pickupDoorOpen(label: record.compartment.label)), .sound(.confirm)]
        return change
    }

    /// The same code again within the grace window, the door closed and empty: it opens once more.
    private func graceReopened(_ window: CabinetModel.GraceWindow, codeHash: String, in model: CabinetModel) -> CustodyChange {
        let id = window.compartmentID
        let compartment = model.compartments[id]
        guard compartment.state == .available, model.pending[id] == nil, !model.offline.contains(id) else {
            return CustodyChange(effects: [.show(.doorUnavailable(label: compartment.label))])
        }
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.latchCycles += 1
        change.write(record)
        change.record(CustodyEvent(.pickupReopened, compartmentID: id, payload: Self.payload(compartment.label)))
        change.graceWindow = .markReopened(codeHash: codeHash)
        change.latch = id
        change.effects = [.show(.pickupDoorOpen(label: compartment.label))]
        return change
    }
}
