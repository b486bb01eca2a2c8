public import Foundation

/// The central server's commands that change custody: pre-advice, a code revoked, a retention
/// extended, a door opened remotely. The daemon records each command's id and result in the same
/// transaction (see `CabinetController+Downlink`).
extension CustodyStateMachine {
    public func preAdviceReceived(_ intake: ParcelIntake) -> CustodyChange {
        var change = CustodyChange()
        change.savedPreAdvice = [intake]
        return change
    }

    /// Codes are per door: revoking one ends the code for every parcel behind that door.
    public func codeRevoked(compartmentID id: Int, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        var record = model.record(id)
        record.codeHash = nil
        change.write(record)
        return change
    }

    /// A parcel's retention moves on; an overdue parcel given time again is back in custody, and
    /// no longer handed to a courier for retrieval. Nil when the parcel is not live here.
    public func retentionExtended(parcelID: Int64, bySeconds seconds: Double, in model: CabinetModel, now: Date) -> CustodyChange? {
        guard var parcel = model.allLiveParcels.first(where: { $0.id == parcelID }) else { return nil }
        parcel.retentionDeadline = parcel.retentionDeadline.addingTimeInterval(seconds)
        if parcel.status == .overdue, parcel.retentionDeadline > now { parcel.status = .inCustody }
        var change = CustodyChange()
        change.updatedParcels = [parcel]
        let id = parcel.compartmentID
        let others = (model.liveParcels[id] ?? []).filter { $0.id != parcelID }
        var record = model.record(id)
        if record.compartment.state == .overdue, parcel.status != .overdue, others.allSatisfy({ $0.status != .overdue }) {
            record.compartment.state = .occupied
            change.write(record)
        }
        return change
    }
}
