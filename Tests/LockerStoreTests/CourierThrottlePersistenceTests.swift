import Foundation
import LockerCore
import LockerStore
import Testing

/// A courier id's PIN throttle survives a restart like the keypad's count: pulling the plug must
/// not hand a PIN guesser a fresh set of tries.
@Suite struct CourierThrottlePersistenceTests {
    struct PlainHasher: PickupCodeHasher {
        func hash(code: String) -> String { "h:" + code }
    }

    static let custody = CustodyStateMachine(
        attemptPolicy: .init(freeAttempts: 3, baseLockoutSeconds: 30, maximumLockoutSeconds: 1_200), hasher: PlainHasher())

    /// Wrong PINs for courier 4711 until it is locked; the store is closed and opened again (as at
    /// a restart) and the model rebuilt from its snapshot: the right PIN is still refused, and
    /// once the lockout is over, admitted, which forgets the row.
    @Test func aLockedCourierIsStillLockedAfterARestart() throws {
        try withTemporaryStoreDirectory { directory in
            do {
                let store = try directory.open()
                try store.installLayout(StoreFixture.layout)
                var model = CabinetModel(compartments: try store.snapshot().compartments)
                for attempt in 0..<3 {
                    let outcome = Self.custody.courierPINEntered(courierID: "4711", known: true, pinMatches: false,
                                                                 in: model, now: StoreFixture.t0.addingTimeInterval(Double(attempt)))
                    try store.apply(outcome.change, at: StoreFixture.stamp(Double(attempt)))
                    model.apply(outcome.change)
                }
                // An id that is no courier is throttled too, under the shared key.
                let stranger = Self.custody.courierPINEntered(courierID: "99", known: false, pinMatches: false,
                                                              in: model, now: StoreFixture.t0.addingTimeInterval(4))
                try store.apply(stranger.change, at: StoreFixture.stamp(4))
            }

            let snapshot = try directory.open().snapshot()
            let restored = try #require(snapshot.courierGuards["4711"])
            #expect(restored.consecutiveFailures == 3)
            #expect(restored.lockedUntil == StoreFixture.t0.addingTimeInterval(2 + 30))
            #expect(snapshot.courierGuards[CustodyStateMachine.unknownCourierKey]?.consecutiveFailures == 1)

            var model = CabinetModel(compartments: snapshot.compartments, courierGuards: snapshot.courierGuards)
            let early = Self.custody.courierPINEntered(courierID: "4711", known: true, pinMatches: true,
                                                        in: model, now: StoreFixture.t0.addingTimeInterval(10))
            #expect(!early.admitted)
            #expect(early.change.effects.contains(.show(.courierLockedOut(seconds: 22))), "\(early.change.effects)")

            let store = try directory.open()
            let later = Self.custody.courierPINEntered(courierID: "4711", known: true, pinMatches: true,
                                                        in: model, now: StoreFixture.t0.addingTimeInterval(40))
            #expect(later.admitted)
            try store.apply(later.change, at: StoreFixture.stamp(40))
            model.apply(later.change)
            #expect(try directory.open().snapshot().courierGuards["4711"] == nil, "a right PIN forgets the row")
        }
    }
}
