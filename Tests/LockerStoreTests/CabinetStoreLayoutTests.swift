import Foundation
import LockerCore
import LockerStore
import Testing

/// Why compartment 3 (the last one of the fixture layout) must not be dropped from the layout.
enum CompartmentInUse: String, CaseIterable, Sendable {
    case liveParcel, overdueParcel, reservedForDeposit, pendingRetrieval

    func setUp(in store: CabinetStore) throws {
        try store.transaction(at: StoreFixture.stamp()) { tx in
            var compartment = try tx.compartment(3)
            switch self {
            case .liveParcel:
                try tx.deposit("TRK-3", recipient: "r-3", in: 3)
            case .overdueParcel:
                let parcel = try tx.deposit("TRK-3", recipient: "r-3", in: 3)
                try tx.setStatus(.overdue, parcelIDs: [parcel.id])
                compartment.state = .overdue
                try tx.update(compartment)
            case .reservedForDeposit:
                try tx.setPending(.deposit(ParcelIntake(trackingNumber: "TRK-3", size: .m, temperatureClass: .chilled),
                                           courierID: "4711", isShared: false), compartmentID: 3)
                compartment.state = .reserved
                try tx.update(compartment)
            case .pendingRetrieval:
                let parcel = try tx.deposit("TRK-3", recipient: "r-3", in: 3)
                try tx.setStatus(.overdue, parcelIDs: [parcel.id])
                try tx.setPending(.retrieval(parcelIDs: [parcel.id], courierID: "4711"), compartmentID: 3)
            }
        }
    }
}

@Suite("Cabinet store: installing the layout")
struct CabinetStoreLayoutTests {
    @Test func installingInsertsTheCompartmentsAndIsIdempotent() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            try store.installLayout(StoreFixture.layout)
            #expect(try store.snapshot().compartments == StoreFixture.layout)
            try store.installLayout(StoreFixture.layout)
            #expect(try store.snapshot().compartments == StoreFixture.layout)
        }
    }

    @Test func reinstallingCorrectsLabelSizeAndClassButKeepsCustody() throws {
        try withFreshStore { store, _ in
            let parcel = try store.transaction(at: StoreFixture.stamp()) { tx in
                var compartment = try tx.compartment(1)
                compartment.latchCycles = 7
                try tx.update(compartment)
                let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 1)
                try tx.setCodeHash("hash-1", compartmentID: 1)
                return parcel
            }
            var corrected = StoreFixture.layout
            corrected[0].label = "A00"
            corrected[1] = Compartment(id: 1, label: "A2X", size: .l, temperatureClass: .frozen, isAccessible: true)
            try store.installLayout(corrected)

            let snapshot = try store.snapshot()
            #expect(snapshot.compartments[0] == corrected[0])
            #expect(snapshot.compartments[1] == Compartment(
                id: 1, label: "A2X", size: .l, temperatureClass: .frozen, isAccessible: true, state: .occupied,
                latchCycles: 7))
            #expect(snapshot.compartments[2...] == StoreFixture.layout[2...])
            #expect(snapshot.liveParcels == [parcel])
            #expect(snapshot.codeHashes == [1: "hash-1"])
        }
    }

    @Test func labelsCanMoveBetweenCompartments() throws {
        try withFreshStore { store, _ in
            var rotated = StoreFixture.layout
            rotated[0].label = "A02"
            rotated[1].label = "A03"
            rotated[2].label = "A01"
            try store.installLayout(rotated)
            #expect(try store.snapshot().compartments.map(\.label) == ["A02", "A03", "A01", "B01"])
        }
    }

    @Test func growingAddsAvailableCompartments() throws {
        try withFreshStore { store, _ in
            let grown = StoreFixture.layout + [Compartment(id: 4, label: "B02", size: .xl, temperatureClass: .heated)]
            try store.installLayout(grown)
            #expect(try store.snapshot().compartments == grown)
        }
    }

    @Test func shrinkingDisablesRemovedEmptyCompartments() throws {
        try withFreshStore { store, _ in
            try store.installLayout(Array(StoreFixture.layout.prefix(2)))
            let compartments = try store.snapshot().compartments
            #expect(compartments.count == 4, "removed compartments stay on record")
            #expect(Array(compartments.prefix(2)) == Array(StoreFixture.layout.prefix(2)))
            for removed in compartments.suffix(2) {
                #expect(removed.state == .disabled)
                #expect(removed.quarantineReason == "removed from configuration")
            }
        }
    }

    @Test(arguments: CompartmentInUse.allCases)
    func shrinkingAwayACompartmentInUseIsRefusedAndChangesNothing(inUse: CompartmentInUse) throws {
        try withFreshStore { store, _ in
            try inUse.setUp(in: store)
            let before = try StoreContents(of: store)
            var shrunk = Array(StoreFixture.layout.prefix(3))
            shrunk[0].label = "Z99"  // a correction in the same call must not be applied either
            let error = #expect(throws: StoreError.self) { try store.installLayout(shrunk) }
            guard case .layoutConflict(let detail)? = error else {
                Issue.record("expected a layout conflict, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("3"))
            #expect(try StoreContents(of: store) == before)
        }
    }

    @Test func aCompartmentPutBackIntoTheLayoutIsInServiceAgain() throws {
        try withFreshStore { store, _ in
            try store.installLayout(Array(StoreFixture.layout.prefix(2)))  // a module is unplugged...
            try store.installLayout(StoreFixture.layout)  // ...and plugged back in
            let compartments = try store.snapshot().compartments
            #expect(Array(compartments.prefix(2)) == Array(StoreFixture.layout.prefix(2)))
            #expect(compartments == StoreFixture.layout)
        }
    }

    @Test func aKeptCompartmentMayTakeOverTheLabelOfARemovedOne() throws {
        try withFreshStore { store, _ in
            // Compartment 3 ("B01") leaves the configuration; compartment 1's door is relabelled "B01".
            var shrunk = Array(StoreFixture.layout.prefix(3))
            shrunk[1].label = "B01"
            try store.installLayout(shrunk)
            let compartments = try store.snapshot().compartments
            #expect(compartments[1].label == "B01")
            #expect(compartments[3].state == .disabled)
        }
    }
}
