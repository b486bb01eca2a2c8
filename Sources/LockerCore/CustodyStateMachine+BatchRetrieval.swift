public import Foundation

/// Batch retrieval: a courier takes every overdue door they may open in one step. The doors open
/// one after another (see `RetrievalBatch` for why), each with its own durable retrieval exactly
/// as a single retrieval (`retrievalDoorOpening`), settled when that door closes.
///
/// Power failure at any step leaves every parcel either retrieved with a record or still in
/// custody:
/// - before a door's commit: nothing was written for it and its latch never moved; its parcels
///   stay overdue in custody;
/// - between a door's commit and its pulse, or between two doors: the committed doors are pending
///   retrievals. At restart each door is read again (`CabinetController.reconcile`): one found
///   closed is settled as interrupted (the item sensor decides where there is one; without it the
///   parcels stay overdue, `keepOverdueParcels`), one found open is settled when it closes. The
///   doors not yet reached had nothing written and stay overdue; the batch itself is not resumed,
///   since nobody is known to be at the cabinet any more;
/// - a door's closing commits its retrieval in one transaction, as for a single door.
extension CustodyStateMachine {
    /// Door labels a batch's messages list at most (the rest are counted): with 16-character
    /// labels a longer list would not come round on a 16x2 display within its page budget.
    public static let listedBatchLabels = 3

    /// A courier asked for all the overdue parcels: the list is shown, and the batch of doors to
    /// open is returned (nil: nothing to retrieve). Nothing is written until a door is opened.
    public func batchRetrievalRequested(courierID: String, in model: CabinetModel, now: Date)
        -> (change: CustodyChange, batch: RetrievalBatch?)
    {
        let doors = retrievableDoors(in: model)
        guard !doors.isEmpty else { return (CustodyChange(effects: [.show(.noOverdueParcels)]), nil) }
        let parcels = doors.reduce(0) { $0 + (model.liveParcels[$1]?.count ?? 0) }
        let listed = doors.prefix(Self.listedBatchLabels).map { model.compartments[$0].label }
        let change = CustodyChange(effects: [.show(.retrievalBatchList(labels: listed, doors: doors.count, parcels: parcels))])
        return (change, RetrievalBatch(courierID: courierID, startedAt: now, doors: doors))
    }

    /// The batch's next door: its retrieval's durable start and its latch (the daemon pulses it,
    /// then waits for the door watch to see it open or give up). A door that can no longer be
    /// opened for the batch (picked up meanwhile, board offline, in use) is given up without a
    /// pulse. When no door is left: the summary. Empty while a door is still awaited.
    public func batchRetrievalNextDoor(_ batch: inout RetrievalBatch, in model: CabinetModel) -> CustodyChange {
        while let id = batch.takeNextDoor() {
            guard retrievableDoors(in: model).contains(id) else {
                batch.doorGivenUp(id)
                continue
            }
            var change = retrievalDoorOpening(id, courierID: batch.courierID, batchStartedAt: batch.startedAt, in: model)
            change.effects = [.show(.retrievalBatchDoorOpen(
                label: model.compartments[id].label, parcels: model.liveParcels[id]?.count ?? 0,
                position: batch.position(of: id) ?? 0, doors: batch.doors.count))]
            return change
        }
        guard batch.isFinished else { return CustodyChange() }
        let parcels = batch.opened.reduce(0) { $0 + (model.liveParcels[$1]?.count ?? 0) }
        let notOpened = batch.skipped.prefix(Self.listedBatchLabels).map { model.compartments[$0].label }
        return CustodyChange(effects: [.show(.retrievalBatchFinished(
            parcels: parcels, opened: batch.opened.count, notOpened: notOpened, notOpenedDoors: batch.skipped.count))])
    }

    /// The awaited door did not open (the door watch gave up, the board refused the pulse, the
    /// store refused its record): the batch goes on with the next door and says so. Nil when `id`
    /// is not the door the batch awaits.
    public func batchRetrievalDoorGivenUp(_ id: Int, batch: inout RetrievalBatch, in model: CabinetModel) -> CustodyChange? {
        guard batch.doorGivenUp(id) else { return nil }
        return CustodyChange(effects: [.show(.retrievalBatchDoorSkipped(label: model.compartments[id].label))])
    }
}
