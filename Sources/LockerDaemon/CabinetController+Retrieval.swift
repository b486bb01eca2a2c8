import LockerCore

/// The retrieval room: an authorised courier takes overdue parcels back. Decisions are
/// `CustodyStateMachine+Retrieval`'s; this file carries them out and touches only the controller.
extension CabinetController {
    func startRetrieval(courierID: String) async {
        await carryOut(custody.retrievalRequested(courierID: courierID, in: model), "retrieval door opening")
    }
}
