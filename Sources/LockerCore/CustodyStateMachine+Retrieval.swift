/// Retrieval: an authorised courier takes overdue parcels back, one door at a time.
///
/// Power failure: as for a pickup (the door-opening commit comes first; the door closing with the
/// parcels gone commits the retrieval; otherwise they stay overdue in custody).
extension CustodyStateMachine {
    /// A courier asked for the overdue parcels: the first overdue door that can open, opens.
    public func retrievalRequested(courierID: String, in model: CabinetModel) -> CustodyChange {
        guard let id = model.compartments.first(where: {
            $0.state == .overdue && model.pending[$0.id] == nil && !model.offline.contains($0.id)
        })?.id else { return CustodyChange(effects: [.show(.noOverdueParcels)]) }
        let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.latchCycles += 1
        record.pending = .retrieval(parcelIDs: parcelIDs, courierID: courierID)
        change.write(record)
        change.record(CustodyEvent(.retrievalDoorOpened, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
        ])))
        change.latch = id
        change.ifLatchRefused = .retrievalNotTaken
        change.effects = [.show(.retrievalDoorOpen(label: record.compartment.label, parcels: parcelIDs.count))]
        return change
    }

    /// The retrieval door closed and the parcels are gone: they leave custody as retrieved.
    public func retrievalCompleted(_ id: Int, parcelIDs: [Int64], courierID: String, in model: CabinetModel) -> CustodyChange {
        var (change, record, _) = parcelsLeft(id, parcelIDs: parcelIDs, as: .retrieved, in: model)
        change.record(CustodyEvent(.retrievalCommitted, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
        ])))
        change.effects = [.show(.retrievalDone(label: record.compartment.label))]
        return change
    }

    /// The retrieval door closed with parcels still inside (or nobody can tell): they stay overdue.
    public func retrievalNotTaken(_ id: Int, reason: String, interrupted: Bool, in model: CabinetModel) -> CustodyChange {
        let label = model.compartments[id].label
        var change = pendingCleared(id, event: CustodyEvent(.retrievalNotTaken, compartmentID: id, payload: Self.payload(label, [
            "reason": .string(reason),
        ])), in: model)
        if !interrupted {
            change.effects = [.show(.retrievalNotRecorded(label: label))]
        }
        return change
    }
}
