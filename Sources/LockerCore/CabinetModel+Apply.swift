public import Foundation

/// Applying a committed `CustodyChange`: the only way custody state in memory changes.
///
/// Called only after the store committed the same change, so the model is never ahead of what
/// would survive a power failure.
extension CabinetModel {
    public mutating func apply(_ change: CustodyChange) {
        for record in change.compartments {
            let id = record.compartment.id
            replace(record.compartment)
            setPending(record.pending, compartmentID: id)
            setCodeHash(record.codeHash, compartmentID: id)
        }
        var touched = Set<Int>()
        for parcel in change.insertedParcels {
            var parcels = liveParcels[parcel.compartmentID] ?? []
            parcels.append(parcel)
            setLiveParcels(parcels, compartmentID: parcel.compartmentID)
            touched.insert(parcel.compartmentID)
            advanceNextParcelID(past: parcel.id)
        }
        for parcel in change.updatedParcels {
            var parcels = liveParcels[parcel.compartmentID] ?? []
            parcels.removeAll { $0.id == parcel.id }
            if parcel.status.isLive {
                parcels.append(parcel)
                parcels.sort { $0.id < $1.id }
            }
            setLiveParcels(parcels, compartmentID: parcel.compartmentID)
            touched.insert(parcel.compartmentID)
        }
        if let attemptGuard = change.attemptGuard { setAttemptGuard(attemptGuard) }
        for update in change.courierGuards { setCourierGuard(update.guard, courierID: update.courierID) }
        for intake in change.savedPreAdvice { setPreAdvice(intake, trackingNumber: intake.trackingNumber) }
        for trackingNumber in change.removedPreAdvice { setPreAdvice(nil, trackingNumber: trackingNumber) }
        switch change.graceWindow {
        case .open(let hash, let window)?: setGraceWindow(window, codeHash: hash)
        case .markReopened(let hash)?:
            if var window = graceWindows[hash] {
                window.reopened = true
                setGraceWindow(window, codeHash: hash)
            }
        case nil: break
        }
    }

    /// Grace windows whose time is up are forgotten.
    public mutating func expireGraceWindows(now: Date) {
        for (hash, window) in graceWindows where window.until <= now { setGraceWindow(nil, codeHash: hash) }
    }
}
