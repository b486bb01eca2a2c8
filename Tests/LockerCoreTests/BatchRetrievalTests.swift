import Foundation
@testable import LockerCore
import Testing

/// Batch retrieval in Core: which doors a batch takes, the order they open in, one at a time,
/// doors given up or no longer retrievable, the summary, and the batch marked in every record.
@Suite struct BatchRetrievalTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let machine = CustodyStateMachine(hasher: PrefixCodeHasher())

    /// A01, A02 (two parcels), A04, A05 overdue; A03 occupied but not overdue; A06 overdue but in
    /// use (a pickup pending); A07 overdue on a board that is offline.
    static func cabinet() -> CabinetModel {
        let overdue: Set<Int> = [0, 1, 3, 4, 5, 6]
        let compartments = (0..<7).map {
            Compartment(id: $0, label: String(format: "A%02d", $0 + 1), size: .m, state: overdue.contains($0) ? .overdue : .occupied)
        }
        var parcels: [Parcel] = []
        for (index, door) in [0, 1, 1, 2, 3, 4, 5, 6].enumerated() {
            parcels.append(Parcel(id: Int64(index + 1), trackingNumber: "T\(index + 1)", recipientReference: "r\(index)", size: .xs,
                                  temperatureClass: .ambient, compartmentID: door, courierID: "c1", depositedAt: t0,
                                  retentionDeadline: t0.addingTimeInterval(3600), status: overdue.contains(door) ? .overdue : .inCustody))
        }
        var model = CabinetModel(compartments: compartments, liveParcels: parcels, codeHashes: [:],
                                 pending: [5: .pickup(parcelIDs: [7], codeHash: "h:1")], attemptGuard: .init(), nextParcelID: 9)
        model.setOnline(false, compartmentIDs: [6])
        return model
    }

    @Test func theBatchTakesEveryOverdueDoorTheCourierMayOpenAndListsThemBeforeWritingAnything() throws {
        let model = Self.cabinet()
        let (change, batch) = Self.machine.batchRetrievalRequested(courierID: "c2", in: model, now: Self.t0)
        let started = try #require(batch)
        #expect(started.doors == [0, 1, 3, 4], "not A03 (not overdue), A06 (in use), A07 (board offline)")
        #expect(started.courierID == "c2" && started.startedAt == Self.t0)
        #expect(!change.writesStore && change.latch == nil, "nothing is written until a door opens")
        #expect(change.effects == [.show(.retrievalBatchList(labels: ["A01", "A02", "A04"], doors: 4, parcels: 5))],
                "three labels listed, all four doors and their five parcels counted")
    }

    @Test func noOverdueDoorMeansNoBatch() {
        var model = Self.cabinet()
        model.setOnline(false, compartmentIDs: [0, 1, 3, 4])
        let (change, batch) = Self.machine.batchRetrievalRequested(courierID: "c2", in: model, now: Self.t0)
        #expect(batch == nil)
        #expect(change.effects == [.show(.noOverdueParcels)])
    }

    /// The steps of a batch as the daemon reports them, and what Core answers to each.
    enum Step: Sendable, CustomTestStringConvertible {
        case next(expectLatch: Int?)
        case seenOpen(Int)
        case givenUp(Int)
        /// The model changes between doors: the door's parcels were picked up meanwhile.
        case pickedUpMeanwhile(Int)
        var testDescription: String { "\(self)" }
    }

    struct BatchCase: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var expectedOpened: [Int]
        var expectedSkipped: [Int]
        var expectedSummary: PanelMessage
        var testDescription: String { name }
    }

    static let batchCases: [BatchCase] = [
        BatchCase(name: "every door opens, one after another", steps: [
            .next(expectLatch: 0), .next(expectLatch: nil), .seenOpen(0), .next(expectLatch: 1), .seenOpen(1),
            .next(expectLatch: 3), .seenOpen(3), .next(expectLatch: 4), .seenOpen(4), .next(expectLatch: nil),
        ], expectedOpened: [0, 1, 3, 4], expectedSkipped: [],
        expectedSummary: .retrievalBatchFinished(parcels: 5, opened: 4, notOpened: [], notOpenedDoors: 0)),
        BatchCase(name: "a jammed door in the middle is given up and the batch goes on", steps: [
            .next(expectLatch: 0), .seenOpen(0), .next(expectLatch: 1), .givenUp(1), .next(expectLatch: 3), .seenOpen(3),
            .next(expectLatch: 4), .seenOpen(4), .next(expectLatch: nil),
        ], expectedOpened: [0, 3, 4], expectedSkipped: [1],
        expectedSummary: .retrievalBatchFinished(parcels: 3, opened: 3, notOpened: ["A02"], notOpenedDoors: 1)),
        BatchCase(name: "a door emptied meanwhile is passed over without a pulse", steps: [
            .next(expectLatch: 0), .pickedUpMeanwhile(1), .seenOpen(0), .next(expectLatch: 3), .seenOpen(3),
            .next(expectLatch: 4), .givenUp(4), .next(expectLatch: nil),
        ], expectedOpened: [0, 3], expectedSkipped: [1, 4],
        expectedSummary: .retrievalBatchFinished(parcels: 2, opened: 2, notOpened: ["A02", "A05"], notOpenedDoors: 2)),
    ]

    @Test(arguments: batchCases)
    func doorsOpenOneAtATime(_ c: BatchCase) throws {
        var model = Self.cabinet()
        var batch = try #require(Self.machine.batchRetrievalRequested(courierID: "c2", in: model, now: Self.t0).batch)
        var last = CustodyChange()
        for step in c.steps {
            switch step {
            case .next(let expectLatch):
                last = Self.machine.batchRetrievalNextDoor(&batch, in: model)
                #expect(last.latch == expectLatch, "\(step)")
                if let id = expectLatch {
                    // The door's own durable retrieval, marked with its batch, before its latch moves.
                    let parcelIDs = (model.liveParcels[id] ?? []).map(\.id)
                    #expect(last.compartments.map(\.pending) == [.retrieval(parcelIDs: parcelIDs, courierID: "c2", batchStartedAt: Self.t0)])
                    #expect(last.events.map(\.kind) == [.retrievalDoorOpened])
                    #expect(last.events.first?.payload["batch_started_at"] == .double(Self.t0.timeIntervalSince1970))
                    #expect(last.ifLatchRefused == .retrievalNotTaken)
                    #expect(last.effects == [.show(.retrievalBatchDoorOpen(
                        label: model.compartments[id].label, parcels: parcelIDs.count, position: (batch.doors.firstIndex(of: id) ?? 0) + 1,
                        doors: batch.doors.count))])
                    #expect(batch.current == id)
                }
                model.apply(last)
            case .seenOpen(let id):
                let moved = batch.doorSeenOpen(id)
                #expect(moved)
            case .givenUp(let id):
                let change = try #require(Self.machine.batchRetrievalDoorGivenUp(id, batch: &batch, in: model))
                #expect(change.effects == [.show(.retrievalBatchDoorSkipped(label: model.compartments[id].label))])
                #expect(!change.writesStore, "what the door was for is settled by the door watch's own change")
            case .pickedUpMeanwhile(let id):
                model.setPending(.pickup(parcelIDs: (model.liveParcels[id] ?? []).map(\.id), codeHash: "h:2"), compartmentID: id)
            }
        }
        #expect(batch.isFinished)
        #expect(batch.opened == c.expectedOpened)
        #expect(batch.skipped == c.expectedSkipped)
        #expect(last.effects == [.show(c.expectedSummary)])
    }

    @Test func onlyTheAwaitedDoorMovesTheBatchOn() throws {
        let model = Self.cabinet()
        var batch = try #require(Self.machine.batchRetrievalRequested(courierID: "c2", in: model, now: Self.t0).batch)
        _ = Self.machine.batchRetrievalNextDoor(&batch, in: model)
        let moved = batch.doorSeenOpen(3)
        #expect(!moved, "another door opening says nothing about the awaited one")
        let givenUp = Self.machine.batchRetrievalDoorGivenUp(3, batch: &batch, in: model)
        #expect(givenUp == nil)
        #expect(batch.current == 0)
    }

    @Test func aBatchDoorsRetrievalRecordNamesItsBatch() {
        let model = Self.cabinet()
        let change = Self.machine.retrievalCompleted(1, parcelIDs: [2, 3], courierID: "c2", batchStartedAt: Self.t0, in: model)
        #expect(change.events.map(\.kind) == [.retrievalCommitted])
        #expect(change.events.first?.payload["batch_started_at"] == .double(Self.t0.timeIntervalSince1970))
        let single = Self.machine.retrievalCompleted(1, parcelIDs: [2, 3], courierID: "c2", in: model)
        #expect(single.events.first?.payload["batch_started_at"] == nil)
    }

    /// Rows written before batches existed still decode (the batch is optional).
    @Test func aPendingRetrievalStoredBeforeBatchesStillDecodes() throws {
        let old = #"{"retrieval":{"parcelIDs":[7],"courierID":"c2"}}"#
        let decoded = try JSONDecoder().decode(PendingOperation.self, from: Data(old.utf8))
        #expect(decoded == .retrieval(parcelIDs: [7], courierID: "c2", batchStartedAt: nil))
        let batch = PendingOperation.retrieval(parcelIDs: [7], courierID: "c2", batchStartedAt: Self.t0)
        #expect(try JSONDecoder().decode(PendingOperation.self, from: JSONEncoder().encode(batch)) == batch)
    }
}
