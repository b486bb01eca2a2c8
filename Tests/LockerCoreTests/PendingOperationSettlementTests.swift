import LockerCore
import Testing

/// Every pending operation against every item-sensor reading, with and without the person there.
@Suite struct PendingOperationSettlementTests {
    static let intake = ParcelIntake(trackingNumber: "SF0001", size: .s)
    static let deposit = PendingOperation.deposit(intake, courierID: "1001", isShared: false)
    static let shared = PendingOperation.deposit(intake, courierID: "1001", isShared: true)
    static let cancelled = PendingOperation.cancelledDeposit(intake, courierID: "1001", isShared: false)
    static let cancelledShared = PendingOperation.cancelledDeposit(intake, courierID: "1001", isShared: true)
    static let pickup = PendingOperation.pickup(parcelIDs: [1], codeHash: "h")
    static let retrieval = PendingOperation.retrieval(parcelIDs: [1], courierID: "1002")
    static let inspect = "interrupted deposit of SF0001: check whether the parcel is inside"

    static let table: [(PendingOperation, Bool?, Bool, PendingOperationSettlement)] = [
        (deposit, true, false, .commitDeposit(recovered: false)),
        (deposit, true, true, .commitDeposit(recovered: true)),
        (deposit, false, false, .releaseReservation(reason: "door closed with no parcel inside")),
        (deposit, false, true, .releaseReservation(reason: "door closed with no parcel inside")),
        (deposit, nil, false, .commitDeposit(recovered: false)),
        (deposit, nil, true, .quarantineForInspection(reason: inspect)),
        (shared, true, false, .commitDeposit(recovered: false)),
        (shared, true, true, .quarantineForInspection(reason: inspect)),
        (shared, false, true, .quarantineForInspection(reason: inspect)),
        (cancelled, true, false, .quarantineForInspection(reason: "deposit of SF0001 was cancelled but something is inside")),
        (cancelled, false, false, .releaseReservation(reason: "cancelled deposit: door closed")),
        (cancelled, nil, true, .releaseReservation(reason: "cancelled deposit: door closed")),
        (cancelledShared, true, false, .releaseReservation(reason: "cancelled deposit: door closed")),
        (pickup, false, false, .commitPickup),
        (pickup, false, true, .commitPickup),
        (pickup, true, false, .keepParcels(reason: "door closed with the parcel still inside")),
        (pickup, nil, false, .commitPickup),
        (pickup, nil, true, .keepParcels(reason: "interrupted: door found closed, no item sensor to confirm")),
        (retrieval, false, true, .commitRetrieval),
        (retrieval, nil, false, .commitRetrieval),
        (retrieval, true, false, .keepOverdueParcels(reason: "door closed with parcels still inside")),
        (retrieval, nil, true, .keepOverdueParcels(reason: "interrupted: door found closed, no item sensor to confirm")),
    ]

    @Test(arguments: table.indices)
    func settles(_ row: Int) {
        let (operation, item, interrupted, expected) = Self.table[row]
        #expect(PendingOperationSettlement.settle(operation, itemPresent: item, interrupted: interrupted) == expected)
    }
}
