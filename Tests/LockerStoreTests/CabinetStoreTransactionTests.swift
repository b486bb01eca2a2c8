import Foundation
import LockerCore
import LockerStore
import Testing

@Suite("Cabinet store: transactions")
struct CabinetStoreTransactionTests {
    @Test func aBodyThatThrowsLeavesNeitherTheEventNorTheStateChange() throws {
        try withFreshStore { store, _ in
            let before = try StoreContents(of: store)
            #expect(throws: DeliberateFailure.self) {
                try store.transaction(at: StoreFixture.stamp(10)) { tx in
                    try tx.append(CustodyEvent(.depositCommitted, compartmentID: 1, payload: ["label": "A02"]))
                    let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 1)
                    try tx.setCodeHash("hash-1", compartmentID: 1)
                    try tx.setPending(.pickup(parcelIDs: [parcel.id], codeHash: "hash-1"), compartmentID: 1)
                    var quarantined = try tx.compartment(0)
                    quarantined.state = .quarantined
                    quarantined.quarantineReason = "latch failed"
                    quarantined.latchCycles = 3
                    try tx.update(quarantined)
                    try tx.save(CodeAttemptGuard(consecutiveFailures: 5, lockedUntil: StoreFixture.t0.addingTimeInterval(40)))
                    throw DeliberateFailure()
                }
            }
            #expect(try StoreContents(of: store) == before)
            #expect(try store.events().isEmpty)
            #expect(try store.snapshot().compartments == StoreFixture.layout)

            // The rolled-back event did not use up a sequence number.
            let next = try store.transaction(at: StoreFixture.stamp(20)) { tx in
                try tx.append(CustodyEvent(.daemonStarted))
            }
            #expect(next.sequence == 1)
        }
    }

    @Test func aBodyThatReturnsCommitsEverythingTogether() throws {
        try withFreshStore { store, _ in
            let (parcel, event) = try store.transaction(at: StoreFixture.stamp(10)) { tx in
                let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 1)
                try tx.setCodeHash("hash-1", compartmentID: 1)
                let event = try tx.append(CustodyEvent(.depositCommitted, compartmentID: 1, parcelID: parcel.id))
                return (parcel, event)
            }
            let snapshot = try store.snapshot()
            #expect(snapshot.liveParcels == [parcel])
            #expect(snapshot.compartments[1].state == .occupied)
            #expect(snapshot.codeHashes == [1: "hash-1"])
            #expect(try store.events() == [event])
        }
    }

    @Test func readsInsideATransactionSeeItsOwnWrites() throws {
        try withFreshStore { store, _ in
            let seen = try store.transaction(at: StoreFixture.stamp()) { tx in
                let before = try tx.isTrackingNumberLive("TRK-1")
                let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 2)
                try tx.setCodeHash("hash-2", compartmentID: 2)
                return [before, try tx.isTrackingNumberLive("TRK-1"), try tx.isCodeHashLive("hash-2"),
                        try tx.liveParcels(compartmentID: 2) == [parcel], try tx.compartment(2).state == .occupied]
            }
            #expect(seen == [false, true, true, true, true])
        }
    }

    @Test func unknownCompartmentsAreReported() throws {
        try withFreshStore { store, _ in
            let error = #expect(throws: StoreError.self) {
                try store.transaction(at: StoreFixture.stamp()) { tx in _ = try tx.compartment(42) }
            }
            #expect(error == .noSuchCompartment(42))
            let updateError = #expect(throws: StoreError.self) {
                try store.transaction(at: StoreFixture.stamp()) { tx in
                    try tx.update(Compartment(id: 42, label: "Z01", size: .s))
                }
            }
            #expect(updateError == .noSuchCompartment(42))
        }
    }
}
