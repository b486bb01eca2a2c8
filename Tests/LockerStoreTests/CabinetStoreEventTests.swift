import Foundation
import LockerCore
import LockerStore
import Testing

@Suite("Cabinet store: event outbox")
struct CabinetStoreEventTests {
    @Test func sequenceNumbersStartAtOneAndStayGapFreeAcrossTransactionsAndAReopen() throws {
        try withTemporaryStoreDirectory { directory in
            let epoch = try {
                let store = try directory.open()
                try store.installLayout(StoreFixture.layout)
                #expect(try store.lastEventSequence() == 0)

                let first = try store.transaction(at: StoreFixture.stamp(1)) { tx in
                    try tx.append(CustodyEvent(.daemonStarted))
                }
                #expect(first.sequence == 1)

                let pair = try store.transaction(at: StoreFixture.stamp(2)) { tx in
                    [try tx.append(CustodyEvent(.depositDoorOpened, compartmentID: 1)).sequence,
                     try tx.append(CustodyEvent(.depositCommitted, compartmentID: 1)).sequence]
                }
                #expect(pair == [2, 3])

                try store.transaction(at: StoreFixture.stamp(3)) { _ in }  // no event at all
                #expect(throws: DeliberateFailure.self) {
                    try store.transaction(at: StoreFixture.stamp(4)) { tx in
                        try tx.append(CustodyEvent(.latchFailed, compartmentID: 0))
                        throw DeliberateFailure()
                    }
                }

                let three = try store.transaction(at: StoreFixture.stamp(5)) { tx in
                    try (0..<3).map { _ in try tx.append(CustodyEvent(.doorReconciled)).sequence }
                }
                #expect(three == [4, 5, 6])
                #expect(try store.lastEventSequence() == 6)
                return store.epoch
            }()

            let reopened = try directory.open()
            #expect(try reopened.lastEventSequence() == 6)
            let afterRestart = try reopened.transaction(at: StoreFixture.stamp(100)) { tx in
                try tx.append(CustodyEvent(.daemonStarted))
            }
            #expect(afterRestart.sequence == 7)

            let events = try reopened.events()
            #expect(events.map(\.sequence) == Array(1...7))
            #expect(events.allSatisfy { $0.epoch == epoch })
            #expect(events.map(\.kind) == ["daemon.started", "deposit.door_opened", "deposit.committed",
                                           "door.reconciled", "door.reconciled", "door.reconciled", "daemon.started"])
            #expect(try reopened.events(after: 3, limit: 2).map(\.sequence) == [4, 5])
            #expect(try reopened.events(after: 6).map(\.sequence) == [7])
            #expect(try reopened.events(after: 7).isEmpty)
            #expect(try reopened.lastEventSequence() == 7)
        }
    }

    /// The store keeps the chain's tip in memory; the schema checks every event against the `chain` row.
    /// A second writer on the same file makes the first one's tip stale: its next append is
    /// refused whole (nothing of that transaction is kept), and the one after reads the tip again
    /// and chains to the other writer's event.
    @Test func aStaleChainTipIsRefusedByTheSchemaThenReadAgain() throws {
        try withFreshStore { first, directory in
            try first.transaction(at: StoreFixture.stamp(1)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            let second = try directory.open()
            let theirs = try second.transaction(at: StoreFixture.stamp(2)) { tx in try tx.append(CustodyEvent(.doorReconciled)) }
            #expect(theirs.sequence == 2)

            #expect(throws: (any Error).self) {
                try first.transaction(at: StoreFixture.stamp(3)) { tx in
                    try tx.markCredentialUsed("credential-1")
                    try tx.append(CustodyEvent(.depositDoorOpened, compartmentID: 1))
                }
            }
            let again = try first.transaction(at: StoreFixture.stamp(4)) { tx in
                try tx.markCredentialUsed("credential-1")  // refused above with everything else
                return try tx.append(CustodyEvent(.depositDoorOpened, compartmentID: 1))
            }
            #expect(again.sequence == 3)
            #expect(again.previousHash == theirs.hash)
            #expect(try first.verifyEventChain() == .intact(events: 3, head: again.hash))
            #expect(try first.chainHead().hash == again.hash)
            #expect(try first.timeHighWater() == StoreFixture.stamp(4).wallClock)
        }
    }

    /// An event's INSERT moves the sequence, the head and the time high-water mark (never back).
    @Test func insertingAnEventMovesTheRecordedTip() throws {
        try withFreshStore { store, _ in
            let later = try store.transaction(at: StoreFixture.stamp(50)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            let earlier = try store.transaction(at: StoreFixture.stamp(10)) { tx in try tx.append(CustodyEvent(.doorReconciled)) }
            #expect(earlier.previousHash == later.hash)
            #expect(try store.chainHead().sequence == 2)
            #expect(try store.chainHead().hash == earlier.hash)
            #expect(try store.timeHighWater() == StoreFixture.stamp(50).wallClock)
            let reopened = try CabinetStore(path: store.path)
            let third = try reopened.transaction(at: StoreFixture.stamp(60)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            #expect(third.sequence == 3 && third.previousHash == earlier.hash)
        }
    }

    @Test func aRecordedEventReadsBackAsItWasAppended() throws {
        try withFreshStore { store, _ in
            let stamp = EventStamp(wallClock: StoreFixture.t0.addingTimeInterval(0.25),
                                   monotonicNanoseconds: UInt64.max - 5)  // beyond Int64: stored by bit pattern
            let appended = try store.transaction(at: stamp) { tx in
                try tx.append(CustodyEvent(.pickupCommitted, compartmentID: 2, parcelID: 17,
                                           payload: ["label": "A03", "parcels": 1]))
            }
            #expect(appended.kind == "pickup.committed")
            #expect(appended.occurredAt == stamp.wallClock)
            #expect(appended.monotonicNanoseconds == UInt64.max - 5)
            #expect(appended.epoch == store.epoch)
            #expect(try store.events() == [appended])
        }
    }

    @Test func everyKindIsStoredByItsWireName() throws {
        try withFreshStore { store, _ in
            try store.transaction(at: StoreFixture.stamp()) { tx in
                for kind in CustodyEvent.Kind.allCases { try tx.append(CustodyEvent(kind)) }
            }
            #expect(try store.events().map(\.kind) == CustodyEvent.Kind.allCases.map(\.rawValue))
        }
    }

    @Test func payloadIsJSONWithSortedKeys() throws {
        try withFreshStore { store, _ in
            let event = try store.transaction(at: StoreFixture.stamp()) { tx in
                try tx.append(CustodyEvent(.depositCommitted, compartmentID: 1, payload: [
                    "zeta": 1, "alpha": "x", "mid": true, "ratio": .double(0.5),
                    "names": .strings(["b", "a"]), "list": .ints([3, 1]),
                ]))
            }
            let stored = try #require(try store.events().first)
            #expect(stored.payload == event.payload)
            #expect(stored.payload == #"{"alpha":"x","list":[3,1],"mid":true,"names":["b","a"],"ratio":0.5,"zeta":1}"#)
        }
    }

    @Test(arguments: [
        [String: EventValue](),
        ["label": "A01"],
        ["note": "door \"A01\" – Tür, 門", "code_hash": "ab/cd\\ef\n"],
        ["b": 2, "a": 1, "c": .strings([]), "B": .ints([Int64.min, Int64.max])],
    ])
    func payloadParsesAsAJSONObjectWithTheSameKeysInOrder(payload: [String: EventValue]) throws {
        try withFreshStore { store, _ in
            try store.transaction(at: StoreFixture.stamp()) { tx in
                try tx.append(CustodyEvent(.doorReconciled, payload: payload))
            }
            let text = try #require(try store.events().first).payload
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            let dictionary = try #require(object as? [String: Any])
            #expect(Set(dictionary.keys) == Set(payload.keys))
            // Keys appear in the text in sorted order.
            let positions = payload.keys.sorted().map { key in
                text.range(of: "\"\(key)\":")?.lowerBound
            }
            #expect(!positions.contains(nil))
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        }
    }
}
