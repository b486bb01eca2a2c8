import Foundation
import LockerCore
import LockerStore
import Testing

@Suite("Cabinet store: parcel lifecycle")
struct CabinetStoreParcelLifecycleTests {
    @Test func aDepositedParcelReadsBackWithAllItsFields() throws {
        try withFreshStore { store, _ in
            let deadline = StoreFixture.t0.addingTimeInterval(24 * 3600)
            let parcel = try store.transaction(at: StoreFixture.stamp(30)) { tx in
                try tx.insertParcel(trackingNumber: "JJD000123", recipientReference: "r-1", size: .m,
                                    temperatureClass: .chilled, compartmentID: 3, courierID: "4711",
                                    retentionDeadline: deadline)
            }
            #expect(parcel == Parcel(
                id: parcel.id, trackingNumber: "JJD000123", recipientReference: "r-1", size: .m,
                temperatureClass: .chilled, compartmentID: 3, courierID: "4711",
                depositedAt: StoreFixture.t0.addingTimeInterval(30), retentionDeadline: deadline, status: .inCustody))
            #expect(try store.snapshot().liveParcels == [parcel])
            #expect(try store.parcels(compartmentID: 3) == [parcel])
            #expect(try store.parcels(compartmentID: 2).isEmpty)
        }
    }

    @Test(arguments: [Parcel.Status.pickedUp, .retrieved])
    func anEndedParcelLeavesTheLiveSetAndItsTrackingNumberMayComeBack(ending: Parcel.Status) throws {
        try withFreshStore { store, _ in
            let first = try store.transaction(at: StoreFixture.stamp(0)) { tx in
                try tx.deposit("TRK-1", recipient: "r-1", in: 1)
            }
            try store.transaction(at: StoreFixture.stamp(3600)) { tx in
                try tx.setStatus(ending, parcelIDs: [first.id])
                var compartment = try tx.compartment(1)
                compartment.state = .available
                try tx.update(compartment)
            }
            #expect(try store.snapshot().liveParcels.isEmpty)
            var ended = first
            ended.status = ending
            #expect(try store.parcels() == [ended], "the ended parcel stays on record")

            // The same tracking number comes back (returned to sender, redelivered), and the freed
            // compartment takes another recipient.
            let (again, other) = try store.transaction(at: StoreFixture.stamp(7200)) { tx in
                (try tx.deposit("TRK-1", recipient: "r-1", in: 2), try tx.deposit("TRK-9", recipient: "r-9", in: 1))
            }
            #expect(again.id != first.id)
            #expect(try store.snapshot().liveParcels == [again, other])
            #expect(try store.parcels().map(\.id) == [first.id, again.id, other.id])
        }
    }

    @Test func anOverdueParcelIsStillLiveAndKeepsItsTrackingNumber() throws {
        try withFreshStore { store, _ in
            let parcel = try store.transaction(at: StoreFixture.stamp(0)) { tx in
                try tx.deposit("TRK-1", recipient: "r-1", in: 1)
            }
            try store.transaction(at: StoreFixture.stamp(49 * 3600)) { tx in
                try tx.setStatus(.overdue, parcelIDs: [parcel.id])
            }
            #expect(try store.snapshot().liveParcels.map(\.status) == [.overdue])
            #expect(throws: (any Error).self) {
                try store.transaction(at: StoreFixture.stamp(50 * 3600)) { tx in
                    try tx.deposit("TRK-1", recipient: "r-1", in: 2)
                }
            }
            let isLive = try store.transaction(at: StoreFixture.stamp(50 * 3600)) { tx in
                try tx.isTrackingNumberLive("TRK-1")
            }
            #expect(isLive)
        }
    }

    @Test func setStatusEndsSeveralParcelsAtOnce() throws {
        try withFreshStore { store, _ in
            let ids = try store.transaction(at: StoreFixture.stamp(0)) { tx in
                [try tx.deposit("TRK-1", recipient: "r-1", in: 2).id, try tx.deposit("TRK-2", recipient: "r-1", in: 2).id,
                 try tx.deposit("TRK-3", recipient: "r-3", in: 1).id]
            }
            try store.transaction(at: StoreFixture.stamp(60)) { tx in
                try tx.setStatus(.pickedUp, parcelIDs: Array(ids.prefix(2)))
            }
            #expect(try store.snapshot().liveParcels.map(\.id) == [ids[2]])
            #expect(try store.parcels(compartmentID: 2).map(\.status) == [.pickedUp, .pickedUp])
        }
    }
}
