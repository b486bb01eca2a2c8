import Foundation
import GRDB
import LockerCore
import LockerReports
import LockerStore
import Testing

/// Compaction: acknowledged events older than the retention leave the store behind a checkpoint
/// of the chain; the record still verifies, parcels still inside keep their whole story, the
/// schema refuses every other removal, and reports of the kept period do not change.
@Suite("Cabinet store: compaction")
struct RecordCompactionTests {
    static let day = 86_400.0
    static let start = CabinetStoreReportTests.marchStart
    static let thirtyDays = 30 * day
    /// A door per parcel (the fixture's deposit puts parcel n behind door n % doors).
    static let doors = 48
    static let layout = (0..<doors).map { Compartment(id: $0, label: "D\($0)", size: .m) }

    /// 40 parcels over 10 days (one every 6 hours); all but 7, 13 and 29 are picked up a day later,
    /// except parcel 5, picked up on day 50 (after the cut the test makes). Every event acknowledged.
    func busyTenDays(_ store: CabinetStore, acknowledge: Bool = true) throws {
        try store.installLayout(Self.layout)
        for id in Int64(1)...40 {
            try CabinetStoreReportTests.deposit(store, [id], at: Self.start.addingTimeInterval(Double(id) * 6 * 3_600), doors: Self.doors)
        }
        for id in Int64(1)...40 where ![5, 7, 13, 29].contains(id) {
            try CabinetStoreReportTests.pickUp(store, [id], at: Self.start.addingTimeInterval(Double(id) * 6 * 3_600 + Self.day),
                                               doors: Self.doors)
        }
        try CabinetStoreReportTests.pickUp(store, [5], at: Self.start.addingTimeInterval(50 * Self.day), doors: Self.doors)
        if acknowledge { try store.recordUplinkAcknowledgement(upTo: try store.lastEventSequence()) }
    }

    /// Plans, records and removes (in steps of `step`) one checkpoint at `now`.
    @discardableResult
    func compact(_ store: CabinetStore, now: Date, step: Int = 7, minimumEvents: Int64 = 1) throws -> RecordCheckpoint? {
        guard let plan = try store.planCheckpoint(now: now, retentionSeconds: Self.thirtyDays, minimumEvents: minimumEvents) else {
            return nil
        }
        let recorded = try store.transaction(at: CabinetStoreReportTests.stamp(now)) { tx in try tx.recordCheckpoint(plan) }
        while try store.removeCompactedEvents(limit: step) > 0 {}
        return recorded
    }

    func kinds(_ store: CabinetStore, parcel: Int64) throws -> [String] {
        try store.events(limit: 100_000).filter { $0.parcelID == parcel || $0.payload.contains("\"parcel_ids\":[\(parcel)]") }.map(\.kind)
    }

    @Test func oldAcknowledgedEventsGoAndTheRecordStillVerifiesFromTheCheckpoint() throws {
        try withFreshStore { store, _ in
            try busyTenDays(store)
            let before = try store.events(limit: 100_000)
            let now = Self.start.addingTimeInterval(60 * Self.day)
            let checkpoint = try #require(try compact(store, now: now))
            // Everything up to the pickup on day 50 (younger than 30 days at day 60) is covered.
            let pickupOfFive = try #require(before.last)
            #expect(checkpoint.throughSequence == pickupOfFive.sequence - 2)
            #expect(checkpoint.throughHash == before.first { $0.sequence == checkpoint.throughSequence }?.hash)
            #expect(Set(checkpoint.inside.map(\.parcelID)) == [7, 13, 29])
            #expect(checkpoint.totals == RecordCheckpoint.Totals(deposits: 40, pickups: 36, retrievals: 0,
                                                                 eventsRemoved: checkpoint.totals.eventsRemoved))
            let after = try store.events(limit: 100_000)
            #expect(Int64(before.count + 1 - after.count) == checkpoint.totals.eventsRemoved)
            // The parcels inside, and parcel 5 (picked up after the cut), keep their whole story.
            for id: Int64 in [5, 7, 13, 29] {
                #expect(try kinds(store, parcel: id) == before.filter { $0.parcelID == id || $0.payload.contains("\"parcel_ids\":[\(id)]") }.map(\.kind))
            }
            #expect(try kinds(store, parcel: 1).isEmpty)
            guard case .intact(let count, let head) = try store.verifyEventChain() else {
                Issue.record("the compacted record does not verify: \(try store.verifyEventChain())")
                return
            }
            #expect(count == after.count && head == after.last?.hash)
            // The checkpoint reads back from its event, and nothing more is old enough yet.
            #expect(try store.latestCheckpoint() == checkpoint)
            #expect(try store.planCheckpoint(now: now, retentionSeconds: Self.thirtyDays, minimumEvents: 1) == nil)
            #expect(try store.compactableEventCount() == 0)
        }
    }

    @Test func unacknowledgedEventsStayWhateverTheirAge() throws {
        try withFreshStore { store, _ in
            try busyTenDays(store, acknowledge: false)
            try store.recordUplinkAcknowledgement(upTo: 30)
            let checkpoint = try #require(try compact(store, now: Self.start.addingTimeInterval(400 * Self.day)))
            #expect(checkpoint.throughSequence == 30)
            #expect(try store.events(after: 30, limit: 100_000).count == (try store.lastEventSequence()) - 30)
            // A checkpoint beyond the acknowledgement is refused by the schema itself.
            var moved = checkpoint
            moved.throughSequence = 31
            moved.throughHash = try #require(try store.events(after: 30, limit: 1).first?.hash)
            let beyond = moved
            #expect(throws: (any Error).self) {
                try store.transaction(at: CabinetStoreReportTests.stamp(Self.start)) { tx in _ = try tx.recordCheckpoint(beyond) }
            }
        }
    }

    @Test func nothingButTheCompactorCanRemoveEvents() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            try busyTenDays(store)
            // No checkpoint: the compactor finds nothing to remove, and a DELETE is refused.
            #expect(try store.removeCompactedEvents(limit: 100) == 0)
            let queue = try DatabaseQueue(path: directory.databasePath)
            #expect(throws: (any Error).self) { try queue.write { db in try db.execute(sql: "DELETE FROM events WHERE sequence = 1") } }
            try compact(store, now: Self.start.addingTimeInterval(60 * Self.day))
            let kept = try #require(try store.latestCheckpoint()?.kept.first)
            // A kept event, and an event after the cut, stay undeletable.
            #expect(throws: (any Error).self) {
                try queue.write { db in try db.execute(sql: "DELETE FROM events WHERE sequence = ?", arguments: [kept.sequence]) }
            }
            #expect(throws: (any Error).self) {
                try queue.write { db in try db.execute(sql: "DELETE FROM events WHERE sequence = (SELECT MAX(sequence) FROM events)") }
            }
            #expect(throws: (any Error).self) { try queue.write { db in try db.execute(sql: "DELETE FROM checkpoints") } }
            try queue.close()
            #expect(try store.verifyEventChain().isIntact)
        }
    }

    @Test(arguments: [
        ("alter a kept event", "UPDATE events SET payload = json_set(payload, '$.courier_id', '666') WHERE sequence = (SELECT MIN(sequence) FROM checkpoint_kept)", "modified"),
        ("remove a kept event", "DELETE FROM events WHERE sequence = (SELECT MIN(sequence) FROM checkpoint_kept)", "kept by checkpoint"),
        ("alter the checkpoint event", "UPDATE events SET payload = json_set(payload, '$.total_deposits', 1) WHERE kind = 'record.checkpoint'", "modified"),
        ("move the checkpoint's cut", "UPDATE checkpoints SET through_hash = replace(through_hash, substr(through_hash, 1, 1), 'x')", "does not say"),
        ("remove the first event after the cut", "DELETE FROM events WHERE sequence = (SELECT through_sequence + 1 FROM checkpoints)", "missing"),
    ])
    func tamperingAcrossTheCheckpointIsFound(what: String, sql: String, reason: String) throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            try busyTenDays(store)
            try compact(store, now: Self.start.addingTimeInterval(60 * Self.day))
            let queue = try DatabaseQueue(path: directory.databasePath)
            try queue.write { db in
                try db.execute(sql: """
                    DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;
                    DROP TRIGGER checkpoints_append_only_update
                    """)
                try db.execute(sql: sql)
            }
            try queue.close()
            guard case .broken(_, let why) = try directory.open().verifyEventChain() else {
                Issue.record("\(what): not detected")
                return
            }
            #expect(why.contains(reason), "\(what): \(why)")
        }
    }

    /// Power lost between two removal steps: what is left still verifies (each event rehashes and
    /// links to its neighbours), and the next run removes the rest before planning anything new.
    @Test func aCompactionStoppedHalfwayVerifiesAndFinishesLater() throws {
        try withTemporaryStoreDirectory { directory in
            var store = try directory.open()
            try busyTenDays(store)
            let now = Self.start.addingTimeInterval(60 * Self.day)
            let plan = try #require(try store.planCheckpoint(now: now, retentionSeconds: Self.thirtyDays, minimumEvents: 1))
            try store.transaction(at: CabinetStoreReportTests.stamp(now)) { tx in _ = try tx.recordCheckpoint(plan) }
            #expect(try store.verifyEventChain().isIntact)
            #expect(try store.removeCompactedEvents(limit: 25) == 25)
            store = try directory.open()
            #expect(try store.verifyEventChain().isIntact)
            let left = try store.compactableEventCount()
            #expect(left > 0)
            #expect(try store.removeCompactedEvents(limit: 10_000) == Int(left))
            #expect(try store.verifyEventChain().isIntact)
        }
    }

    /// A second checkpoint adds to the first one's totals, and lets go of the events the first kept
    /// for a parcel that has left since.
    @Test func checkpointsFollowOneAnother() throws {
        try withFreshStore { store, _ in
            try busyTenDays(store)
            let first = try #require(try compact(store, now: Self.start.addingTimeInterval(60 * Self.day)))
            try CabinetStoreReportTests.pickUp(store, [7], at: Self.start.addingTimeInterval(61 * Self.day), doors: Self.doors)
            try CabinetStoreReportTests.deposit(store, [41], at: Self.start.addingTimeInterval(62 * Self.day), doors: Self.doors)
            try store.recordUplinkAcknowledgement(upTo: try store.lastEventSequence())
            let second = try #require(try compact(store, now: Self.start.addingTimeInterval(120 * Self.day)))
            #expect(second.previousCheckpoint == first.sequence)
            #expect(second.throughSequence > first.sequence)
            #expect(second.totals.deposits == 41 && second.totals.pickups == 38)
            #expect(Set(second.inside.map(\.parcelID)) == [13, 29, 41])
            #expect(try kinds(store, parcel: 7).isEmpty)
            #expect(try kinds(store, parcel: 13).contains("deposit.committed"))
            #expect(try store.verifyEventChain().isIntact)
        }
    }

    /// A report of a period after the cut is the same before and after compaction, with the
    /// parcels whose events went not counted as differences.
    @Test func aReportOfTheKeptPeriodDoesNotChange() throws {
        try withFreshStore { store, _ in
            try busyTenDays(store)
            let period = ReportPeriod(start: Self.start.addingTimeInterval(45 * Self.day), end: Self.start.addingTimeInterval(55 * Self.day),
                                      timeZone: "Asia/Shanghai", label: "days 45 to 55")
            let now = Self.start.addingTimeInterval(60 * Self.day)
            let before = CustodyReportBuilder.build(try store.reportInput(cabinet: "c1", period: period), period: period, now: now)
            try compact(store, now: now)
            let input = try store.reportInput(cabinet: "c1", period: period)
            #expect(input.checkpoint?.throughSequence == (try store.latestCheckpoint())?.throughSequence)
            let after = CustodyReportBuilder.build(input, period: period, now: now)
            #expect(after.reconciliation == before.reconciliation)
            #expect(after.reconciliation.differences.isEmpty)
            #expect(after.reconciliation.total.inAtStart == 4 && after.reconciliation.total.pickups == 1)
            #expect(after.chain.intact)
            #expect(after.compaction?.checkpointSequence == input.checkpoint?.checkpointSequence)
        }
    }

    /// Halfway through a removal (a pass stopped by a power cut, or between two steps) a parcel
    /// may have lost its deposit but not yet its pickup: that is compaction, not a difference.
    @Test func aReportInTheMiddleOfARemovalFindsNoFalseDifference() throws {
        try withFreshStore { store, _ in
            try busyTenDays(store)
            let now = Self.start.addingTimeInterval(60 * Self.day)
            let plan = try #require(try store.planCheckpoint(now: now, retentionSeconds: Self.thirtyDays, minimumEvents: 1))
            try store.transaction(at: CabinetStoreReportTests.stamp(now)) { tx in _ = try tx.recordCheckpoint(plan) }
            for removed in [9, 40, 60] {
                try store.removeCompactedEvents(limit: removed)
                let period = ReportPeriod(start: Self.start, end: now, timeZone: "Asia/Shanghai", label: "the whole record")
                let report = CustodyReportBuilder.build(try store.reportInput(cabinet: "c1", period: period), period: period, now: now)
                #expect(report.reconciliation.differences.isEmpty, "\(report.reconciliation.differences.prefix(3))")
                #expect(report.chain.intact)
            }
        }
    }
}

extension CabinetStore.ChainVerification {
    var isIntact: Bool { if case .intact = self { true } else { false } }
}

/// The storage arithmetic behind "a 30-day outage of a busy cabinet fits the budget": with
/// compaction, the record holds at most the retention's acknowledged events plus whatever the
/// outage left unsent. Measured on the store itself, with the events a parcel really leaves.
@Suite("Cabinet store: storage over an outage")
struct OutageStorageTests {
    @Test func sixtyDaysOfABusyCabinetFitTheDefaultBudget() throws {
        try withFreshStore { store, _ in
            try store.installLayout(RecordCompactionTests.layout)
            let before = try store.storageUse().databaseBytes
            let parcels: Int64 = 2_000
            let start = RecordCompactionTests.start
            for first in stride(from: Int64(1), through: parcels, by: 40) {
                let ids = Array(first..<(first + 40))
                try CabinetStoreReportTests.deposit(store, ids, at: start.addingTimeInterval(Double(first) * 60), doors: RecordCompactionTests.doors)
                try CabinetStoreReportTests.pickUp(store, ids, at: start.addingTimeInterval(Double(first) * 60 + 3_600),
                                                   doors: RecordCompactionTests.doors)
            }
            let bytesPerParcel = Double(try store.storageUse().databaseBytes - before) / Double(parcels)
            // A busy cabinet: 1,000 parcels a day; the record holds 30 days acknowledged (the
            // retention) and 30 days the outage kept from the server.
            let sixtyBusyDays = bytesPerParcel * 1_000 * 60
            let budget = 512.0 * 1_048_576
            print("storage: \(Int(bytesPerParcel)) bytes a parcel (5 events and its row); 60 busy days: \(Int(sixtyBusyDays / 1_048_576)) MB of a \(Int(budget / 1_048_576)) MB budget")
            #expect(bytesPerParcel > 0)
            #expect(sixtyBusyDays < budget / 2, "\(Int(sixtyBusyDays / 1_048_576)) MB")
        }
    }
}
