import Foundation
import LockerCore
import LockerStore
import Testing

/// A write the schema must refuse whatever the code above it does.
enum CustodyViolation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case secondRecipientInACompartment
    case knownRecipientJoinsAnUnknownOne
    case unknownRecipientJoinsAKnownOne
    case twoUnknownRecipientsShare
    case endedParcelRevivedBesideAnotherRecipient
    case trackingNumberLiveInTwoCompartments
    case trackingNumberLiveTwiceInItsOwnCompartment
    case sameCodeHashOnTwoCompartments
    case reservedWithoutPendingOperation
    case pendingOperationClearedWhileReserved
    case codeHashOnAnAvailableCompartment
    case parcelInAnUnknownCompartment

    var testDescription: String { rawValue }

    /// Commits the state the violation starts from; returns the ids of the parcels it deposited.
    func setUp(in store: CabinetStore) throws -> [Int64] {
        try store.transaction(at: StoreFixture.stamp()) { tx in
            switch self {
            case .secondRecipientInACompartment, .unknownRecipientJoinsAKnownOne, .trackingNumberLiveInTwoCompartments,
                 .trackingNumberLiveTwiceInItsOwnCompartment:
                return [try tx.deposit("TRK-1", recipient: "r-1", in: 2).id]
            case .knownRecipientJoinsAnUnknownOne, .twoUnknownRecipientsShare:
                return [try tx.deposit("TRK-1", recipient: "", in: 2).id]
            case .endedParcelRevivedBesideAnotherRecipient:
                let ended = try tx.deposit("TRK-1", recipient: "r-1", in: 2)
                try tx.setStatus(.pickedUp, parcelIDs: [ended.id])
                let current = try tx.deposit("TRK-2", recipient: "r-2", in: 2)
                return [ended.id, current.id]
            case .sameCodeHashOnTwoCompartments:
                let first = try tx.deposit("TRK-1", recipient: "r-1", in: 1)
                let second = try tx.deposit("TRK-2", recipient: "r-2", in: 2)
                try tx.setCodeHash("hash-1", compartmentID: 1)
                return [first.id, second.id]
            case .pendingOperationClearedWhileReserved:
                try tx.setPending(.deposit(ParcelIntake(trackingNumber: "TRK-1", size: .s), courierID: "4711",
                                           isShared: false), compartmentID: 0)
                var compartment = try tx.compartment(0)
                compartment.state = .reserved
                try tx.update(compartment)
                return []
            case .reservedWithoutPendingOperation, .codeHashOnAnAvailableCompartment, .parcelInAnUnknownCompartment:
                return []
            }
        }
    }

    /// The refused write.
    func violate(_ tx: CustodyTransaction, parcelIDs: [Int64]) throws {
        switch self {
        case .secondRecipientInACompartment:
            try tx.deposit("TRK-2", recipient: "r-2", in: 2)
        case .knownRecipientJoinsAnUnknownOne:
            try tx.deposit("TRK-2", recipient: "r-1", in: 2)
        case .unknownRecipientJoinsAKnownOne, .twoUnknownRecipientsShare:
            try tx.deposit("TRK-2", recipient: "", in: 2)
        case .endedParcelRevivedBesideAnotherRecipient:
            try tx.setStatus(.inCustody, parcelIDs: [parcelIDs[0]])
        case .trackingNumberLiveInTwoCompartments:
            try tx.deposit("TRK-1", recipient: "r-2", in: 1)
        case .trackingNumberLiveTwiceInItsOwnCompartment:
            try tx.deposit("TRK-1", recipient: "r-1", in: 2)
        case .sameCodeHashOnTwoCompartments:
            try tx.setCodeHash("hash-1", compartmentID: 2)
        case .reservedWithoutPendingOperation:
            var compartment = try tx.compartment(0)
            compartment.state = .reserved
            try tx.update(compartment)
        case .pendingOperationClearedWhileReserved:
            try tx.setPending(nil, compartmentID: 0)
        case .codeHashOnAnAvailableCompartment:
            try tx.setCodeHash("hash-0", compartmentID: 0)
        case .parcelInAnUnknownCompartment:
            _ = try tx.insertParcel(trackingNumber: "TRK-9", recipientReference: "r-9", size: .s,
                                    temperatureClass: .ambient, compartmentID: 99, courierID: "4711",
                                    retentionDeadline: tx.stamp.wallClock)
        }
    }

    /// Part of SQLite's message, so that the test knows the right rule refused the write.
    var reason: String {
        switch self {
        case .secondRecipientInACompartment, .knownRecipientJoinsAnUnknownOne, .unknownRecipientJoinsAKnownOne,
             .twoUnknownRecipientsShare, .endedParcelRevivedBesideAnotherRecipient:
            "compartment already holds a live parcel of another (or an unknown) recipient"
        case .trackingNumberLiveInTwoCompartments, .trackingNumberLiveTwiceInItsOwnCompartment:
            "UNIQUE constraint failed: parcels.tracking_number"
        case .sameCodeHashOnTwoCompartments:
            "UNIQUE constraint failed: compartments.code_hash"
        case .reservedWithoutPendingOperation, .pendingOperationClearedWhileReserved, .codeHashOnAnAvailableCompartment:
            "CHECK constraint failed"
        case .parcelInAnUnknownCompartment:
            "FOREIGN KEY constraint failed"
        }
    }
}

@Suite("Cabinet store: custody invariants held by the schema")
struct CabinetStoreInvariantTests {
    @Test(arguments: CustodyViolation.allCases)
    func violationIsRefusedAndChangesNothing(_ violation: CustodyViolation) throws {
        try withFreshStore { store, _ in
            let parcelIDs = try violation.setUp(in: store)
            let before = try StoreContents(of: store)
            let error = #expect(throws: (any Error).self) {
                try store.transaction(at: StoreFixture.stamp(60)) { tx in
                    // Valid writes first: the refusal must take them back too.
                    try tx.append(CustodyEvent(.depositCommitted, compartmentID: 2))
                    try tx.save(CodeAttemptGuard(consecutiveFailures: 2))
                    try violation.violate(tx, parcelIDs: parcelIDs)
                }
            }
            let message = error.map { String(describing: $0) } ?? ""
            #expect(message.contains(violation.reason), "\(message)")
            #expect(try StoreContents(of: store) == before)
        }
    }

    @Test func parcelsOfTheSameKnownRecipientMayShareACompartment() throws {
        try withFreshStore { store, _ in
            let first = try store.transaction(at: StoreFixture.stamp(0)) { tx in
                try tx.deposit("TRK-1", recipient: "r-1", size: .s, in: 2)
            }
            let (second, third) = try store.transaction(at: StoreFixture.stamp(60)) { tx in
                (try tx.deposit("TRK-2", recipient: "r-1", size: .m, in: 2),
                 try tx.deposit("TRK-3", recipient: "r-1", size: .xs, in: 2))
            }
            #expect(try store.snapshot().liveParcels == [first, second, third])

            // Flagging one of them overdue is no second recipient either.
            try store.transaction(at: StoreFixture.stamp(120)) { tx in
                try tx.setStatus(.overdue, parcelIDs: [second.id])
            }
            let live = try store.snapshot().liveParcels
            #expect(live.map(\.status) == [.inCustody, .overdue, .inCustody])
            #expect(live.allSatisfy { $0.compartmentID == 2 })
        }
    }
}
