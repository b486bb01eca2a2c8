import Foundation
import LockerCore
import LockerStore
import Testing

@Suite("Cabinet store: snapshot round trips")
struct CabinetStoreSnapshotTests {
    enum PendingKind: String, CaseIterable, Sendable {
        case deposit, sharedDeposit, pickup, retrieval
    }

    /// Stores one pending operation of each kind on compartment 2 and reads it back, also after a reopen.
    @Test(arguments: PendingKind.allCases)
    func pendingOperationRoundTrips(kind: PendingKind) throws {
        try withTemporaryStoreDirectory { directory in
            let operation = try {
                let store = try directory.open()
                try store.installLayout(StoreFixture.layout)
                return try store.transaction(at: StoreFixture.stamp()) { tx -> PendingOperation in
                    var compartment = try tx.compartment(2)
                    let operation: PendingOperation
                    switch kind {
                    case .deposit:
                        operation = .deposit(
                            ParcelIntake(trackingNumber: "JJD000123", recipientReference: "r-1", size: .l,
                                         temperatureClass: .frozen, needsAccessible: true),
                            courierID: "4711", isShared: false)
                        compartment.state = .reserved
                    case .sharedDeposit:
                        try tx.deposit("TRK-1", recipient: "r-1", in: 2)
                        operation = .deposit(ParcelIntake(trackingNumber: "TRK-2", recipientReference: "r-1", size: .xs),
                                             courierID: "4711", isShared: true)
                        compartment.state = .occupied
                    case .pickup:
                        let ids = [try tx.deposit("TRK-1", recipient: "r-1", in: 2).id,
                                   try tx.deposit("TRK-2", recipient: "r-1", in: 2).id]
                        try tx.setCodeHash("hash-2", compartmentID: 2)
                        operation = .pickup(parcelIDs: ids, codeHash: "hash-2")
                        compartment.state = .occupied
                    case .retrieval:
                        let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 2)
                        try tx.setStatus(.overdue, parcelIDs: [parcel.id])
                        operation = .retrieval(parcelIDs: [parcel.id], courierID: "4712")
                        compartment.state = .overdue
                    }
                    try tx.setPending(operation, compartmentID: 2)
                    try tx.update(compartment)
                    return operation
                }
            }()
            let reopened = try directory.open()
            #expect(try reopened.snapshot().pending == [2: operation])

            // Clearing it (the operation finished) leaves nothing pending.
            try reopened.transaction(at: StoreFixture.stamp(60)) { tx in
                var compartment = try tx.compartment(2)
                if compartment.state == .reserved { compartment.state = .available }
                try tx.update(compartment)
                try tx.setPending(nil, compartmentID: 2)
            }
            #expect(try reopened.snapshot().pending.isEmpty)
        }
    }

    @Test func pendingOperationsOnSeveralCompartmentsStayApart() throws {
        try withFreshStore { store, _ in
            let expected = try store.transaction(at: StoreFixture.stamp()) { tx -> [Int: PendingOperation] in
                let parcel = try tx.deposit("TRK-1", recipient: "r-1", in: 1)
                let pending: [Int: PendingOperation] = [
                    0: .deposit(ParcelIntake(trackingNumber: "TRK-0", size: .s), courierID: "4711", isShared: false),
                    1: .pickup(parcelIDs: [parcel.id], codeHash: "hash-1"),
                ]
                for (id, operation) in pending { try tx.setPending(operation, compartmentID: id) }
                var reserved = try tx.compartment(0)
                reserved.state = .reserved
                try tx.update(reserved)
                try tx.setCodeHash("hash-1", compartmentID: 1)
                return pending
            }
            let snapshot = try store.snapshot()
            #expect(snapshot.pending == expected)
            #expect(snapshot.codeHashes == [1: "hash-1"])
            #expect(snapshot.compartments.map(\.state) == [.reserved, .occupied, .available, .available])
        }
    }

    @Test func aNewStoreHasAFreshAttemptGuard() throws {
        try withFreshStore { store, _ in
            let snapshot = try store.snapshot()
            #expect(snapshot.attemptGuard == CodeAttemptGuard())
        }
    }

    @Test(arguments: [
        CodeAttemptGuard(),
        CodeAttemptGuard(consecutiveFailures: 3),
        CodeAttemptGuard(consecutiveFailures: 5, lockedUntil: StoreFixture.t0.addingTimeInterval(30)),
        CodeAttemptGuard(consecutiveFailures: 12, lockedUntil: StoreFixture.t0.addingTimeInterval(900)),
    ])
    func attemptGuardRoundTripsAcrossAReopen(attemptGuard: CodeAttemptGuard) throws {
        try withTemporaryStoreDirectory { directory in
            try {
                let store = try directory.open()
                try store.transaction(at: StoreFixture.stamp()) { tx in
                    try tx.save(CodeAttemptGuard(consecutiveFailures: 1))
                    try tx.save(attemptGuard)  // the last save wins
                }
                #expect(try store.snapshot().attemptGuard == attemptGuard)
            }()
            let restored = try directory.open().snapshot().attemptGuard
            #expect(restored == attemptGuard)
            // A lockout in force when the power went is still in force after the restart.
            #expect(restored.verdict(now: StoreFixture.t0) == attemptGuard.verdict(now: StoreFixture.t0))
        }
    }

    @Test func theGuardARealLockoutProducesSurvivesAReopen() throws {
        try withTemporaryStoreDirectory { directory in
            var attemptGuard = CodeAttemptGuard()
            for _ in 0..<6 { _ = attemptGuard.recordFailure(now: StoreFixture.t0, policy: .init()) }
            let saved = attemptGuard
            try {
                let store = try directory.open()
                try store.transaction(at: StoreFixture.stamp()) { tx in try tx.save(saved) }
            }()
            let restored = try directory.open().snapshot().attemptGuard
            #expect(restored == saved)
            #expect(restored.verdict(now: StoreFixture.t0.addingTimeInterval(59)) == .lockedOut(secondsLeft: 1))
            #expect(restored.verdict(now: StoreFixture.t0.addingTimeInterval(60)) == .allowed)
        }
    }
}
