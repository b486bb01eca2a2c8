import Foundation
import LockerCore
import LockerStore
import LockerUplink
import Testing

/// A conflict the server reports stops the upload (it needs people), durably and with an alarm;
/// commands still arrive; a resume sends again, and a later success clears the last error.
@Suite(.serialized)
struct UplinkHaltTests {
    /// A clone of the database that keeps sending under the original's epoch: the server holds
    /// other events under the same (epoch, sequence) and answers `409 hash_conflict`.
    @Test func aConflictHaltsTheUploadWithAnAlarmUntilAResumeAndThenClearsTheLastError() async throws {
        try await UplinkTestBed.run { bed in
            try bed.store.beginEpoch(at: Date())
            let epoch = bed.store.epoch
            try bed.record(50)
            let backup = bed.directory.appendingPathComponent("clone.sqlite")
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: bed.store.path + suffix) {
                try FileManager.default.copyItem(atPath: bed.store.path + suffix, toPath: backup.path + suffix)
            }
            try bed.record(50)
            try await bed.drain()
            #expect(bed.server.acked(epoch: epoch) == 100)

            // The clone starts without a new epoch (the fault the epochs exist to prevent).
            let clone = try CabinetStore(path: backup.path)
            #expect(clone.epoch == epoch)
            let cloned = try UplinkTestBed.attach(to: clone, server: bed.server, key: bed.key)
            try cloned.record(20, startingAt: 5_000)
            guard case .halted(let reason) = await cloned.service.attempt(now: Date()) else {
                Issue.record("a conflict did not halt the upload")
                return
            }
            #expect(reason.contains("hash_conflict") && reason.contains("51"))
            #expect(bed.server.conflicts == 1)
            let halt = try #require(try clone.uplinkHalt())
            #expect(halt.epoch == epoch && halt.sequence == 51 && halt.code == "hash_conflict")
            let alarm = try #require(try clone.events(after: 0, limit: 1_000).last)
            #expect(alarm.kind == "uplink.halted" && alarm.payload.contains("\"sequence\":51"))
            #expect(cloned.service.status.state == .halted)

            // Halted: only polls go out (commands still arrive), no event is sent again.
            let received = bed.server.eventsReceived
            let requests = bed.server.requests
            for _ in 0..<10 {
                guard case .halted = await cloned.service.attempt(now: Date()) else {
                    Issue.record("a halted upload sent or failed instead of polling")
                    return
                }
            }
            #expect(bed.server.eventsReceived == received, "no event is sent while halted")
            #expect(bed.server.requests == requests + 10, "one poll per attempt")
            #expect(bed.server.conflicts == 1)

            // A restart stays halted: the halt is durable.
            let restarted = try UplinkTestBed.attach(to: clone, server: bed.server, key: bed.key)
            #expect(restarted.service.status.state == .halted && restarted.service.status.halt == halt)
            await restarted.transport.shutdown()

            // People resolve it on the server (it drops its events after 50 of that epoch) and
            // a technician resumes; the clone's record then goes through.
            bed.server.forget(after: 50, epoch: epoch)
            _ = try clone.transaction(at: EventStamp(wallClock: Date(), monotonicNanoseconds: 1)) { tx in try tx.clearUplinkHalt() }
            try await cloned.drain(limit: 20)
            #expect(try clone.uplinkBacklog().count == 0)
            #expect(bed.server.acked(epoch: epoch) == 71, "50 shared, 20 of the clone, and its alarm")
            #expect(cloned.service.status.state == .idle)
            #expect(cloned.service.status.lastError == nil, "a later success clears the last error")
            await cloned.transport.shutdown()
        }
    }

    /// The server restores an old backup and needs events this cabinet has compacted since: they
    /// are gone, so the upload halts with `events_compacted` (no resend could ever fill the gap),
    /// and the halt's advice says so.
    @Test func aServerThatLostCompactedEventsHaltsTheUpload() async throws {
        try await UplinkTestBed.run { bed in
            try bed.store.beginEpoch(at: Date())
            let epoch = bed.store.epoch
            let old = Date(timeIntervalSince1970: 1_800_000_000)
            try bed.record(100, at: old)
            try await bed.drain()
            #expect(bed.server.acked(epoch: epoch) == 100)
            let now = old.addingTimeInterval(40 * 86_400)
            let plan = try #require(try bed.store.planCheckpoint(now: now, retentionSeconds: 30 * 86_400, minimumEvents: 1))
            try bed.store.transaction(at: EventStamp(wallClock: now, monotonicNanoseconds: 1)) { tx in _ = try tx.recordCheckpoint(plan) }
            while try bed.store.removeCompactedEvents(limit: 1_000) > 0 {}
            try bed.record(10, at: now)

            bed.server.forget(after: 50, epoch: epoch)
            var outcomes: [UplinkService.Outcome] = []
            for _ in 0..<5 {
                let outcome = await bed.service.attempt(now: now)
                outcomes.append(outcome)
                if case .halted = outcome { break }
            }
            guard case .halted(let reason)? = outcomes.last else {
                Issue.record("a server missing compacted events did not halt the upload: \(outcomes)")
                return
            }
            #expect(reason.contains("events_compacted") && reason.contains("51"), "\(reason)")
            let halt = try #require(try bed.store.uplinkHalt())
            #expect(halt.code == UplinkHalt.eventsCompacted && halt.sequence == 51 && halt.advice.contains("compacted"))
            #expect(bed.server.acked(epoch: epoch) == 50, "nothing beyond the hole was taken for stored")
        }
    }

    @Test func aFailureThenASuccessLeavesNoLastError() async throws {
        try await UplinkTestBed.run { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(5)
            bed.network.isUp.withLock { $0 = false }
            _ = await bed.service.attempt(now: Date())
            #expect(bed.service.status.lastError != nil)
            bed.network.isUp.withLock { $0 = true }
            guard case .delivered = await bed.service.attempt(now: Date()) else {
                Issue.record("no delivery after the network came back")
                return
            }
            #expect(bed.service.status.lastError == nil)
            #expect(bed.service.status.lastErrorAt != nil, "when the last failure was stays known")
            #expect((bed.service.status.drainEventsPerSecond ?? 0) > 0, "the batch's rate is measured for the time to drain")
        }
    }
}
