import LockerCore

/// The retrieval room: an authorised courier takes overdue parcels back, one door per request or
/// all of them in a batch. Decisions are `CustodyStateMachine+Retrieval`'s and
/// `+BatchRetrieval`'s; this file carries them out and touches only the controller.
extension CabinetController {
    func startRetrieval(courierID: String) async {
        await carryOut(custody.retrievalRequested(courierID: courierID, in: model), "retrieval door opening")
    }

    /// Shows the batch's list and opens its first door; the others follow one by one as each door
    /// is seen open or given up (`batchDoorSettled`). A batch already running is not started again.
    func startBatchRetrieval(courierID: String) async {
        guard retrievalBatch == nil else { return }
        let (change, batch) = custody.batchRetrievalRequested(courierID: courierID, in: model, now: clock.now())
        await carryOut(change, "batch retrieval list")
        retrievalBatch = batch
        await openNextBatchDoor()
    }

    /// The door watch (or the board) settled a door: if it is the one the batch awaits, the batch
    /// goes on with its next door.
    func batchDoorSettled(_ id: Int, opened: Bool) async {
        guard var batch = retrievalBatch, batch.current == id else { return }
        if opened {
            batch.doorSeenOpen(id)
            retrievalBatch = batch
        } else {
            let change = custody.batchRetrievalDoorGivenUp(id, batch: &batch, in: model)
            retrievalBatch = batch
            if let change { await carryOut(change, "batch retrieval door given up") }
        }
        await openNextBatchDoor()
    }

    /// Opens the batch's next door and returns to wait for its sensor; a door whose record the
    /// store refuses or whose pulse the board refuses is given up at once, and the next is tried.
    /// The summary ends the batch.
    private func openNextBatchDoor() async {
        while var batch = retrievalBatch, batch.current == nil {
            let change = custody.batchRetrievalNextDoor(&batch, in: model)
            retrievalBatch = batch.isFinished ? nil : batch
            let outcome = await carryOut(change, "batch retrieval door opening")
            guard let id = change.latch else { return }
            if outcome == .done {
                // A door already open when pulsed (left open) never shows its watch an opening:
                // it is open, and the batch goes on. Otherwise the door watch will tell.
                guard doors[id].isOpen, var seen = retrievalBatch, seen.doorSeenOpen(id) else { return }
                retrievalBatch = seen
                continue
            }
            if var refused = retrievalBatch, let skipped = custody.batchRetrievalDoorGivenUp(id, batch: &refused, in: model) {
                retrievalBatch = refused
                await carryOut(skipped, "batch retrieval door given up")
            }
        }
    }
}
