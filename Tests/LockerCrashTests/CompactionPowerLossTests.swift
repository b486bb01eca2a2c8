import Foundation
import GRDB
import LockerCore
import LockerStore
import LockerTestSupport
import Testing

/// SIGKILL a real `lockerd` while it compacts a large acknowledged record: right after the
/// checkpoint's commit and at random points of the removal. After every kill the record must
/// verify from the checkpoint, every event after the cut must still be there, and the next start
/// must finish the removal; in the end exactly the covered events are gone.
@Suite struct CompactionPowerLossTests {
    static let events = 20_000

    @Test func killedWhileCompactingLosesNothingItMustKeep() async throws {
        let rounds = max(5, (Int(ProcessInfo.processInfo.environment["LOCKERD_CRASH_POINTS"] ?? "") ?? 0) / 50)
        let seed = UInt64(ProcessInfo.processInfo.environment["LOCKERD_CRASH_SEED"] ?? "") ?? 20_261_203
        let failures = await withCheckedContinuation { (done: CheckedContinuation<[String], Never>) in
            // Blocking pipe reads: on a thread of its own, never on the concurrency pool.
            let thread = Thread { done.resume(returning: Self.run(rounds: rounds, seed: seed)) }
            thread.stackSize = 8 << 20
            thread.start()
        }
        #expect(failures.isEmpty, "seed \(seed): \(failures.prefix(10).joined(separator: "\n"))")
    }

    /// Each round on a record of its own: killed right after the checkpoint's commit (round 0) or
    /// once a random share of the covered events is gone, checked, then started again to finish.
    static func run(rounds: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        for round in 0..<rounds {
            let share = round == 0 ? 0 : Double(random.next() % 95 + 5) / 100
            let failures = runRound(round, share: share)
            if !failures.isEmpty { return failures }
        }
        return []
    }

    static func runRound(_ round: Int, share: Double) -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-compaction-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("lockerd.sqlite").path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // 40 days old and acknowledged by the server: all of it may go.
            let store = try CabinetStore(path: databasePath)
            let old = Date().addingTimeInterval(-40 * 86_400)
            for batch in 0..<(events / 2_000) {
                try store.transaction(at: EventStamp(wallClock: old, monotonicNanoseconds: UInt64(batch + 1) * 1_000_000)) { tx in
                    for index in 0..<2_000 {
                        try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 16, payload: ["n": .int(Int64(batch * 2_000 + index))]))
                    }
                }
            }
            try store.recordUplinkAcknowledgement(upTo: try store.lastEventSequence())
        } catch {
            return ["round \(round): cannot prepare the record: \(error)"]
        }
        let acknowledged = Int64(events)
        guard let process = try? LockerdProcess(stateDirectory: directory) else { return ["round \(round): lockerd did not start"] }
        // A tick: the loop's housekeeping makes a compaction pass due.
        guard process.run("wait 1", mark: 1) != nil else {
            process.kill()
            return ["round \(round): lockerd died at start: \(process.transcript.suffix(5))"]
        }
        var deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let progress = try? Self.progress(databasePath),
               progress.checkpoint && Double(acknowledged - progress.covered) >= share * Double(acknowledged) { break }
            usleep(1_000)
        }
        process.kill()
        let left = (try? Self.progress(databasePath)) ?? (checkpoint: false, covered: -1)
        print("compaction power loss: round \(round) killed at share \(share): checkpoint \(left.checkpoint), \(left.covered) covered events left")
        var failures = verify(databasePath, round: round, acknowledged: acknowledged)
        guard failures.isEmpty else { return failures }

        // The next start finishes the removal.
        guard let restarted = try? LockerdProcess(stateDirectory: directory) else { return ["round \(round): lockerd did not start again"] }
        _ = restarted.run("wait 1", mark: 1)
        deadline = Date().addingTimeInterval(60)
        while Date() < deadline, (try? Self.progress(databasePath).covered) != 0 { usleep(5_000) }
        restarted.quit()
        failures += verify(databasePath, round: round, acknowledged: acknowledged)
        do {
            let store = try CabinetStore(path: databasePath)
            let checkpoint = try store.latestCheckpoint()
            if try store.compactableEventCount() != 0 { failures.append("round \(round): the next start did not finish the removal") }
            if checkpoint?.totals.eventsRemoved != acknowledged {
                failures.append("round \(round): the checkpoint counts \(checkpoint?.totals.eventsRemoved ?? -1) events removed, not \(acknowledged)")
            }
            if try store.events(after: 0, limit: 1).first?.sequence != acknowledged + 1 {
                failures.append("round \(round): the kept record does not start right after the cut")
            }
        } catch {
            failures.append("round \(round): cannot read the store at the end: \(error)")
        }
        return failures
    }

    /// Whether a checkpoint is committed, and how many events it covers that are still here.
    static func progress(_ path: String) throws -> (checkpoint: Bool, covered: Int64) {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let through = try Int64.fetchOne(db, sql: "SELECT MAX(through_sequence) FROM checkpoints")
            let covered = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE sequence <= ?", arguments: [through ?? Int64(events)]) ?? 0
            return (through != nil, covered)
        }
    }

    static func verify(_ path: String, round: Int, acknowledged: Int64) -> [String] {
        do {
            let store = try CabinetStore(path: path)
            var failures: [String] = []
            if case .broken(let sequence, let reason) = try store.verifyEventChain() {
                failures.append("after kill \(round): the chain breaks at #\(sequence): \(reason)")
            }
            let last = try store.lastEventSequence()
            let through = try store.latestCheckpoint()?.throughSequence ?? 0
            let after = try store.events(after: through, limit: 1_000_000).count
            if Int64(after) != last - through {
                failures.append("after kill \(round): \(last - through - Int64(after)) events after the cut are missing")
            }
            if through == 0, try store.events(after: 0, limit: 1_000_000).count != Int(last) {
                failures.append("after kill \(round): events went without a checkpoint")
            }
            if through > acknowledged { failures.append("after kill \(round): the checkpoint covers unacknowledged events") }
            return failures
        } catch {
            return ["after kill \(round): cannot open the store: \(error)"]
        }
    }
}
