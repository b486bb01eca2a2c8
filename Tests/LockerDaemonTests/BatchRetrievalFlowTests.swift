import Foundation
import LockerCore
import LockerDaemon
import LockerReports
import LockerStore
import Synchronization
import Testing

/// Notes every latch pulse with the doors the store recorded open at that instant: the batch must
/// not pulse a door before the one before it was seen open (or given up).
final class BatchLatchNotes: Sendable {
    let store = Mutex<CabinetStore?>(nil)
    /// Per pulse: the door pulsed ("A02") and the doors recorded open just before.
    let pulses = Mutex<[(door: String, openBefore: Set<String>)]>([])
    let labels: [String: String]  // "board:channel" -> label

    init(_ configuration: CabinetConfiguration) {
        labels = Dictionary(uniqueKeysWithValues: configuration.compartments.map { ("\($0.board):\($0.channel)", $0.label) })
    }

    func noteUnlock(board: Int, channel: Int) {
        let open = store.withLock { store in
            Set((try? store?.snapshot().compartments.filter(\.isDoorOpen).map(\.label)) ?? [])
        }
        pulses.withLock { $0.append((labels["\(board):\(channel)"] ?? "?", open)) }
    }
}

@Suite struct BatchRetrievalFlowTests {
    /// A cabinet with three overdue parcels (one per door) and a courier logged in for them.
    static func threeOverdueParcels(_ cabinet: CabinetHarness) async throws -> [String] {
        await cabinet.courierLogin()
        var labels: [String] = []
        for tracking in ["SF6000000001", "SF6000000002", "SF6000000003"] {
            labels.append(try await cabinet.deposit(tracking).label)
        }
        await cabinet.press("menu")
        await cabinet.jump(seconds: 48 * 3600 + 1)
        for label in labels { #expect(try cabinet.compartment(label).state == .overdue) }
        await cabinet.courierLogin(id: "1002", pin: "8765")
        return labels
    }

    static func batchEvents(_ cabinet: CabinetHarness, _ kind: String) throws -> [RecordedEvent] {
        try cabinet.events().filter { $0.kind == kind && $0.payload.contains("batch_started_at") }
    }

    @Test func threeOverdueParcelsAreRetrievedInOneStepDoorAfterDoor() async throws {
        let notes = BatchLatchNotes(.simulatedDefault)
        let cabinet = try await CabinetHarness(wrapBoards: { UnlockObservingBoard($0, beforeUnlock: notes.noteUnlock) })
        defer { cabinet.removeFiles() }
        notes.store.withLock { $0 = cabinet.store }
        let labels = try await Self.threeOverdueParcels(cabinet)
        #expect(Set(labels).count == 3, "one door per parcel: \(labels)")
        notes.pulses.withLock { $0 = [] }

        await cabinet.press("enter 3")  // options, retrieve all overdue

        let pulses = notes.pulses.withLock { $0 }
        #expect(pulses.map(\.door) == labels, "every overdue door, in the cabinet's order, each once")
        for (index, pulse) in pulses.enumerated().dropFirst() {
            #expect(pulse.openBefore.contains(pulses[index - 1].door),
                    "\(pulse.door) was pulsed before \(pulses[index - 1].door) was seen open")
        }
        #expect(pulses.first?.openBefore.isDisjoint(with: labels) == true)
        let list = "Retrieving 3 overdue parcels from 3 doors, one door at a time: \(labels.joined(separator: " "))."
        #expect(cabinet.display.contains(list), "\(cabinet.display.suffix(6))")
        #expect(cabinet.display.contains("Door \(labels[1]) is open (2 of 3): take the 1 overdue parcel."))
        #expect(cabinet.lastDisplay == "All doors done: take the 3 overdue parcels from 3 open doors and close each door.")
        #expect(await cabinet.inbox.perform { $0.retrievalBatch == nil } == true, "the batch is over once every door opened")

        // Each door's retrieval is its own record, settled as its door closes.
        for label in labels.reversed() {
            #expect(cabinet.isOpen(label))
            try await cabinet.take(label)
            try await cabinet.close(label)
            #expect(try cabinet.compartment(label).state == .available)
        }
        #expect(try cabinet.liveParcels().isEmpty)
        let opened = try Self.batchEvents(cabinet, "retrieval.door_opened")
        let committed = try Self.batchEvents(cabinet, "retrieval.committed")
        #expect(opened.count == 3 && committed.count == 3)
        #expect(try cabinet.store.parcels().allSatisfy { $0.status == .retrieved })

        // The report counts the three parcels as retrieved in one batch.
        let now = cabinet.clock.now()
        let period = ReportPeriod(start: now.addingTimeInterval(-7 * 86_400), end: now.addingTimeInterval(60), timeZone: "UTC", label: "week")
        let report = CustodyReportBuilder.build(try cabinet.store.reportInput(cabinet: "c1", period: period), period: period, now: now)
        #expect(report.overdue.retrieved == 3)
        #expect(report.overdue.retrievedInBatches == 3)
        #expect(report.overdue.batchRetrievals == 1)
        #expect(report.reconciliation.total.retrievals == 3)
        await cabinet.stop()
    }

    @Test func aJammedDoorInTheMiddleIsGivenUpAndTheBatchGoesOn() async throws {
        let notes = BatchLatchNotes(.simulatedDefault)
        let cabinet = try await CabinetHarness(wrapBoards: { UnlockObservingBoard($0, beforeUnlock: notes.noteUnlock) })
        defer { cabinet.removeFiles() }
        notes.store.withLock { $0 = cabinet.store }
        let labels = try await Self.threeOverdueParcels(cabinet)
        let jammed = cabinet.address(labels[1])
        cabinet.cabinet.setJammed(board: jammed.board, channel: jammed.channel, true)
        notes.pulses.withLock { $0 = [] }

        await cabinet.press("enter 3")
        #expect(notes.pulses.withLock { $0.map(\.door) } == [labels[0], labels[1]],
                "the third door waits while the second is not seen open")
        #expect(!cabinet.isOpen(labels[1]))

        // The door watch gives the jammed door up after its confirmation time; the batch goes on.
        await cabinet.wait(seconds: Int(cabinet.configuration.doorOpenConfirmationSeconds) + 1)
        #expect(notes.pulses.withLock { $0.map(\.door) } == labels)
        #expect(cabinet.display.contains("Door \(labels[1]) did not open; going on with the next door."), "\(cabinet.display.suffix(6))")
        #expect(cabinet.lastDisplay == "All doors done: take the 2 overdue parcels from 2 open doors and close each door. "
            + "Not opened: \(labels[1]).")
        #expect(try cabinet.compartment(labels[1]).state == .quarantined)
        #expect(try cabinet.liveParcels().map(\.compartmentID).contains(try cabinet.compartment(labels[1]).id),
                "the jammed door's parcel stays in custody")

        for label in [labels[0], labels[2]] {
            try await cabinet.take(label)
            try await cabinet.close(label)
        }
        #expect(try Self.batchEvents(cabinet, "retrieval.committed").count == 2)
        #expect(try cabinet.liveParcels().count == 1)
        await cabinet.stop()
    }

    /// A door already open when its turn comes shows its watch no opening: it counts as open.
    @Test func aDoorLeftOpenCountsAsOpenAndTheBatchGoesOn() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let labels = try await Self.threeOverdueParcels(cabinet)
        try await cabinet.open(labels[0], force: true)
        await cabinet.press("enter 3")
        #expect(cabinet.lastDisplay == "All doors done: take the 3 overdue parcels from 3 open doors and close each door.",
                "\(cabinet.display.suffix(5))")
        #expect(await cabinet.inbox.perform { $0.retrievalBatch == nil } == true)
        for label in labels {
            try await cabinet.take(label)
            try await cabinet.close(label)
        }
        #expect(try Self.batchEvents(cabinet, "retrieval.committed").count == 3)
        await cabinet.stop()
    }

    /// Power fails in the middle of a batch (the second door committed and pulsed but never seen
    /// open, the third not reached): at restart every parcel is either retrieved with a record or
    /// still in custody.
    @Test func aRestartInTheMiddleOfABatchSettlesEveryDoor() async throws {
        let notes = BatchLatchNotes(.simulatedDefault)
        let first = try await CabinetHarness(wrapBoards: { UnlockObservingBoard($0, beforeUnlock: notes.noteUnlock) })
        defer { first.removeFiles() }
        notes.store.withLock { $0 = first.store }
        let labels = try await Self.threeOverdueParcels(first)
        let jammed = first.address(labels[1])
        first.cabinet.setJammed(board: jammed.board, channel: jammed.channel, true)
        await first.press("enter 3")
        let pending = try first.store.snapshot().pending
        guard case .retrieval(_, "1002", let batch)? = pending[try first.compartment(labels[1]).id] else {
            Issue.record("the second door's retrieval is not pending: \(pending)")
            return
        }
        #expect(batch != nil, "marked as part of the batch")
        #expect(pending[try first.compartment(labels[2]).id] == nil, "nothing written for the door not reached")
        try await first.take(labels[0])  // the courier empties the first door, which stays open
        await first.stop()  // power fails

        first.cabinet.setJammed(board: jammed.board, channel: jammed.channel, false)
        let second = try await CabinetHarness(directory: first.directory, clock: first.clock)
        // The second door, found closed with its parcel inside, keeps it; the third was never touched.
        #expect(try second.eventKinds().contains("retrieval.not_taken"))
        #expect(try second.compartment(labels[1]).state == .overdue)
        #expect(try second.compartment(labels[2]).state == .overdue)
        #expect(try second.store.snapshot().pending.count == 1, "only the first door, still open, is pending")
        // The first door closes empty: its retrieval commits.
        try await second.close(labels[0])
        #expect(try second.compartment(labels[0]).state == .available)
        #expect(try Self.batchEvents(second, "retrieval.committed").count == 1)
        #expect(try second.liveParcels().count == 2)
        await second.stop()
    }
}
