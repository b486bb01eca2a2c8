import Foundation
import LockerStore
import LockerUplink
import Synchronization
import Testing
@testable import LockerDaemon

/// Compaction in a running cabinet: the loop's housekeeping makes a pass due, the compactor
/// records its checkpoint through the loop, and afterwards the parcel still inside is picked up
/// as before, the chain verifies, and a server asking for compacted events is told they are gone.
@Suite struct RecordCompactionFlowTests {
    @Test func aCompactedCabinetGoesOnServingAndSaysWhatIsGone() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let codes = try await cabinet.depositAll(["SF1000000001", "SF1000000002", "SF1000000003"], thenPickUp: 2)
        let beforeCompaction = try cabinet.events()
        try cabinet.store.recordUplinkAcknowledgement(upTo: try cabinet.store.lastEventSequence())

        // Housekeeping makes a pass due, with the retention in force.
        let due = Mutex<[Double]>([])
        _ = await cabinet.inbox.perform { controller in controller.onCompactionDue = { days in due.withLock { $0.append(days) } } }
        await cabinet.jump(seconds: 31 * 86_400)
        #expect(due.withLock { $0 } == [30])

        var settings = RecordCompactor.Settings()
        settings.minimumEvents = 1
        settings.stepEvents = 2
        let compactor = RecordCompactor(store: cabinet.store, retentionDays: 30, settings: settings, logger: .init(label: "test"))
        let inbox = cabinet.inbox
        let pass = await compactor.pass(now: cabinet.clock.now(), record: { plan in await inbox.perform { $0.recordCheckpoint(plan) } ?? nil },
                                        pause: {})
        let checkpoint = try #require(pass.checkpoint)
        #expect(checkpoint.throughSequence == beforeCompaction.last?.sequence)
        #expect(pass.removed > 0 && Int64(pass.removed) == checkpoint.totals.eventsRemoved)
        #expect(checkpoint.inside.count == 1 && checkpoint.totals.deposits == 3 && checkpoint.totals.pickups == 2)
        #expect(try cabinet.events().last?.kind == "record.checkpoint")
        guard case .intact = try cabinet.store.verifyEventChain() else {
            Issue.record("the compacted record does not verify")
            return
        }

        // The parcel still inside kept its story, and its code still opens its door.
        let (label, code) = codes[2]
        await cabinet.press(code)
        #expect(cabinet.isOpen(label))
        try await cabinet.take(label)
        try await cabinet.close(label)
        #expect(try cabinet.liveParcels().isEmpty)
        let kinds = try cabinet.eventKinds()
        #expect(kinds.filter { $0 == "deposit.committed" }.count == 1 && kinds.last == "pickup.committed")
        guard case .intact = try cabinet.store.verifyEventChain() else {
            Issue.record("the record does not verify after a pickup across the checkpoint")
            return
        }

        // The server asks for the epoch again from its start: gone, with the checkpoint.
        var command = UplinkAcknowledgement.Command(id: "r-1", type: "resend_events")
        command.epoch = cabinet.store.epoch
        command.fromSequence = try cabinet.store.firstSequence(ofEpoch: cabinet.store.epoch)
        let resend = command
        _ = await cabinet.inbox.perform { await $0.execute(resend) }
        let answer = try #require(try cabinet.events().last)
        #expect(answer.kind == "command.result" && answer.payload.contains("\"status\":\"gone\"")
                && answer.payload.contains("\"checkpoint_sequence\":\(checkpoint.sequence)")
                && answer.payload.contains("gone since checkpoint \(checkpoint.sequence)"), "\(answer.payload)")
        #expect(try cabinet.store.uplinkResendFrom() == nil)
        await cabinet.stop()
    }
}
