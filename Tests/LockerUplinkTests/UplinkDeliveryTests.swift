import Foundation
import LockerStore
import LockerTestSupport
import LockerUplink
import Synchronization
import Testing

/// Every custody event reaches the contract server exactly once, in order, whatever the network does.
@Suite(.serialized)
struct UplinkDeliveryTests {
    /// About a third of requests meet a fault, each kind in turn chosen by a seeded generator.
    static func faultyThird(seed: UInt64) -> @Sendable (Int) -> ContractServer.Fault {
        { request in
            var random = SplitMix64(seed: seed &+ UInt64(request) &* 0x9E37_79B9)
            guard random.next() % 3 == 0 else { return .none }
            let faults = ContractServer.Fault.allCases.filter { $0 != .none }
            return faults[Int(random.next() % UInt64(faults.count))]
        }
    }

    @Test func tenThousandEventsArriveExactlyOnceAndInOrderThroughInjectedFaults() async throws {
        try await UplinkTestBed.run(faults: Self.faultyThird(seed: 42)) { bed in
            // Three epochs (three daemon starts), with events recorded while the upload runs.
            try bed.store.beginEpoch(at: Date())
            try bed.record(3_000)
            var outcomes = try await bed.drain(limit: 20)
            try bed.store.beginEpoch(at: Date())
            try bed.record(4_000)
            outcomes += try await bed.drain(limit: 15)
            try bed.store.beginEpoch(at: Date())
            try bed.record(3_000)
            outcomes += try await bed.drain()

            #expect(try bed.store.uplinkBacklog().count == 0)
            #expect(try bed.store.uplinkAcknowledgedSequence() == 10_000)
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            let failures = outcomes.filter { if case .failed = $0 { return true } else { return false } }.count
            #expect(failures > 10, "faults were injected: \(failures) failed attempts of \(outcomes.count)")
            #expect(bed.server.duplicatesReceived > 0, "some batches were stored but not acknowledged, and sent again")
            #expect(bed.server.badSignatures == 0 && bed.server.conflicts == 0)
            #expect(bed.server.highestChainHead == 10_000)
        }
    }

    @Test func aWeekLongOutageDrainsAfterwardsAndBacksOffWithinItsCap() async throws {
        let cap = 1_800.0
        try await UplinkTestBed.run(backoffCapSeconds: cap) { bed in
            try bed.store.beginEpoch(at: Date())
            bed.network.isUp.withLock { $0 = false }
            // A week on an injected clock: a deposit an hour, the uplink trying when its backoff says.
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            var now = start
            var attempts = 0
            var longest = 0.0
            for hour in 0..<(7 * 24) {
                try bed.record(1, at: start.addingTimeInterval(Double(hour) * 3_600))
                let nextHour = start.addingTimeInterval(Double(hour + 1) * 3_600)
                while now < nextHour {
                    guard case .failed(let wait, let reason) = await bed.service.attempt(now: now) else {
                        Issue.record("an attempt succeeded with the server down")
                        return
                    }
                    #expect(reason.contains("no answer"))
                    attempts += 1
                    longest = max(longest, wait)
                    now = now.addingTimeInterval(wait)
                }
            }
            #expect(longest <= cap)
            #expect(attempts < 7 * 24 * 3_600 / Int(cap / 4), "no hammering: \(attempts) attempts in a week")
            #expect(bed.service.status.state == .backingOff)
            #expect(try bed.store.uplinkBacklog().count == 168)

            bed.network.isUp.withLock { $0 = true }
            let outcomes = try await bed.drain(limit: 10, now: now)
            #expect(outcomes.allSatisfy { if case .delivered = $0 { return true } else { return false } })
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.service.status.consecutiveFailures == 0 && bed.service.status.lastSuccessAt == now)
        }
    }

    /// A low answer (the lowest the server ever gave for the epoch, on every fifth request) costs
    /// at most one batch sent again, not everything since: the answer to that batch says the
    /// server holds more, and the cabinet goes straight back to where it was.
    @Test func aLowAnswerCostsOneBatchNotTheEpoch() async throws {
        try await UplinkTestBed.run(faults: { $0.isMultiple(of: 5) ? .lowAnswer : .none }) { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(6_000)
            let outcomes = try await bed.drain(limit: 200)
            #expect(try bed.store.uplinkBacklog().count == 0)
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            let low = bed.server.lowAnswers
            let resent = bed.server.eventsReceived - bed.server.stored.count
            #expect(low >= 5, "low answers were given: \(low)")
            // Each low answer hides one batch's acknowledgement and sends one batch from the low
            // point: two batches of 200 at most.
            #expect(resent <= low * 2 * 200, "\(resent) events sent again for \(low) low answers")
            #expect(outcomes.count <= 30 + 2 * low, "\(outcomes.count) attempts")
        }
    }

    @Test func aServerThatLostEventsIsSentThemAgain() async throws {
        try await UplinkTestBed.run() { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(500)
            try await bed.drain()
            bed.server.forget(after: 200, epoch: bed.store.epoch)
            try bed.record(10)
            for _ in 0..<10 { _ = await bed.service.attempt(now: Date()) }
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
            #expect(bed.server.acked(epoch: bed.store.epoch) == 510)
        }
    }

    @Test func aRestoredDatabaseSendsItsNewEventsUnderANewEpoch() async throws {
        try await UplinkTestBed.run() { bed in
            try bed.store.beginEpoch(at: Date())
            let firstEpoch = bed.store.epoch
            try bed.record(50)
            // The backup: a copy of the database with 50 events, none acknowledged.
            let backup = bed.directory.appendingPathComponent("backup.sqlite")
            try copyDatabase(from: bed.store.path, to: backup.path)
            try bed.record(50)
            try await bed.drain()
            #expect(bed.server.acked(epoch: firstEpoch) == 100)

            // The backup is restored and started: a new epoch, 20 new events at sequences 51...70,
            // which the server already holds under the first epoch with other contents.
            let restored = try CabinetStore(path: backup.path)
            try restored.beginEpoch(at: Date())
            let second = try UplinkTestBed.attach(to: restored, server: bed.server, key: bed.key)
            try second.record(20, startingAt: 1_000)
            try await second.drain()
            #expect(bed.server.conflicts == 0)
            #expect(bed.server.acked(epoch: restored.epoch) == 70)
            #expect(try restored.uplinkAcknowledgedSequence() == 70)
            let stored = bed.server.stored
            #expect(stored.filter { $0.epoch == firstEpoch }.map(\.sequence) == Array(1...100))
            #expect(stored.filter { $0.epoch == restored.epoch }.map(\.sequence) == Array(51...70))
            await second.transport.shutdown()
        }
    }

    @Test func aBatchSignedWithAnotherKeyIsRejectedAndNothingIsAcknowledged() async throws {
        let stranger = CabinetSigningKey(privateKey: .init(), cabinetID: "cabinet-7")
        try await UplinkTestBed.run(serverKey: stranger.privateKey.publicKey) { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(5)
            let outcome = await bed.service.attempt(now: Date())
            guard case .failed(_, let reason) = outcome else {
                Issue.record("a batch the server cannot verify was accepted")
                return
            }
            #expect(reason.contains("401") && reason.contains("bad_signature"))
            #expect(try bed.store.uplinkAcknowledgedSequence() == 0)
            #expect(bed.service.status.lastError == reason)
        }
    }

    private func copyDatabase(from source: String, to destination: String) throws {
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: source + suffix) {
            try FileManager.default.copyItem(atPath: source + suffix, toPath: destination + suffix)
        }
    }
}

/// The service's own loop (not single attempts): it drains, goes idle, and wakes for new events.
@Suite struct UplinkRunLoopTests {
    @Test func theLoopDrainsSleepsAndWakesForNewEvents() async throws {
        try await UplinkTestBed.run { bed in
            try bed.store.beginEpoch(at: Date())
            try bed.record(450)
            let service = bed.service
            let loop = Task { await service.run() }
            #expect(try await eventually { try bed.store.uplinkBacklog().count == 0 })
            let requestsWhenDrained = bed.server.requests
            try bed.record(3)
            service.wake()
            #expect(try await eventually { try bed.store.uplinkBacklog().count == 0 })
            #expect(bed.server.requests <= requestsWhenDrained + 2, "one batch for the new events, no spinning")
            loop.cancel()
            await loop.value
            #expect(try bed.serverHoldsExactlyTheStore() == nil)
        }
    }

    /// Waits (up to 20 s, checking every 20 ms) for a condition that real I/O will make true.
    func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<1_000 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try condition()
    }
}
