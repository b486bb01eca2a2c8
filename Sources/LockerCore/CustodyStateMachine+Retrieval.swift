public import Foundation

/// Retrieval: an authorised courier takes overdue parcels back, one door at a time, or all the
/// doors they may take in one batch (see `CustodyStateMachine+BatchRetrieval`).
///
/// Power failure: as for a pickup (the door-opening commit comes first; the door closing with the
/// parcels gone commits the retrieval; otherwise they stay overdue in custody).
extension CustodyStateMachine {
    /// A courier asked for the overdue parcels: the first overdue door that can open, opens.
    public func retrievalRequested(courierID: String, in model: CabinetModel) -> CustodyChange {
        guard let id = retrievableDoors(in: model).first else { return CustodyChange(effects: [.show(.noOverdueParcels)]) }
        var change = retrievalDoorOpening(id, courierID: courierID, batchStartedAt: nil, in: model)
        let parcels = model.liveParcels[id]?.count ?? 0
        change.effects = [.show(.retrievalDoorOpen(label: model.compartments[id].label, parcels: parcels))]
        return change
    }

    /// The overdue doors a courier may open now, in the cabinet's order: overdue, not in use for
    /// anything else, on a board that answers.
    public func retrievableDoors(in model: CabinetModel) -> [Int] {
        model.compartments.filter {
            $0.state == .overdue && model.pending[$0.id] == nil && !model.offline.contains($0.id)
        }.map(\.id)
    }

    /// The durable start of one door's retrieval (before its latch moves): the door is pending a
    /// retrieval of the parcels inside now, and its latch is pulsed once that is committed.
    func retrievalDoorOpening(_ id: Int, courierID: String, batchStartedAt: Date?, in model: CabinetModel) -> CustodyChange {
        let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.latchCycles += 1
        record.pending = .retrieval(parcelIDs: parcelIDs, courierID: courierID, batchStartedAt: batchStartedAt)
        change.write(record)
        change.record(CustodyEvent(.retrievalDoorOpened, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
        ].merging(Self.batchPayload(batchStartedAt)) { first, _ in first })))
        change.latch = id
        change.ifLatchRefused = .retrievalNotTaken
        return change
    }

    /// The retrieval door closed and the parcels are gone: they leave custody as retrieved.
    public func retrievalCompleted(
        _ id: Int, parcelIDs: [Int64], courierID: String, batchStartedAt: Date? = nil, in model: CabinetModel
    ) -> CustodyChange {
        var (change, record, _) = parcelsLeft(id, parcelIDs: parcelIDs, as: .retrieved, in: model)
        change.record(CustodyEvent(.retrievalCommitted, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "courier_id": .string(courierID), "parcel_ids": .ints(parcelIDs),
        ].merging(Self.batchPayload(batchStartedAt)) { first, _ in first })))
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

    /// The batch a retrieval belongs to, as its events carry it: the batch's start time, which
    /// is the same for every door of one batch (reports count batches by it).
    static func batchPayload(_ batchStartedAt: Date?) -> [String: EventValue] {
        batchStartedAt.map { ["batch_started_at": .double($0.timeIntervalSince1970)] } ?? [:]
    }
}
