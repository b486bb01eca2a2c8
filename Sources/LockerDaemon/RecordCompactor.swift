public import Foundation
public import LockerStore
public import Logging
import Synchronization

/// Keeps the custody record within its storage budget for good: acknowledged events older than
/// `eventRetentionDays` leave the store behind a checkpoint (see `CabinetStore+Compaction` for
/// what each step does and what a power cut at each step leaves).
///
/// The heavy parts run here, off the cabinet loop: planning is a read beside the writer, and the
/// removal goes in bounded steps with a pause between them, so a pickup's commit waits at most
/// one step. Only the checkpoint's event is written on the loop (`CabinetController.recordCheckpoint`),
/// where every event joins the chain, the maintenance feed and the uplink.
///
/// The cabinet loop's housekeeping says when a pass is due (`due`): hourly by the cabinet's
/// clock (so the manual clock's `wait` compacts too), and at once when the store is full.
public final class RecordCompactor: Sendable {
    public struct Settings: Sendable {
        /// Events removed per transaction.
        public var stepEvents = 2_000
        /// No checkpoint for fewer events than this (one costs an event and a kept list).
        public var minimumEvents: Int64 = 1_000
        /// Between two removal steps: room for the cabinet's own commits.
        public var pause: Duration = .milliseconds(20)

        public init() {}
    }

    /// What one pass did.
    public struct Pass: Sendable, Equatable {
        /// The checkpoint recorded by this pass, if any.
        public var checkpoint: RecordCheckpoint?
        /// Events removed (left over from a stopped pass, and behind the new checkpoint).
        public var removed: Int
    }

    private let store: CabinetStore
    private let settings: Settings
    private let logger: Logger
    private let wake = WakeSignal()
    /// The retention in force (the server may change it), set with each `due`.
    private let retentionDays: Mutex<Double>

    public init(store: CabinetStore, retentionDays: Double, settings: Settings = Settings(), logger: Logger) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.retentionDays = Mutex(retentionDays)
    }

    /// A pass is due (from the cabinet loop), with the retention now in force.
    public func due(retentionDays days: Double) {
        retentionDays.withLock { $0 = days }
        wake.signal()
    }

    /// A pass each time one is due, until cancelled (the loop's first housekeeping makes one due
    /// at start, which finishes a pass a power cut stopped). `record` writes the checkpoint on the
    /// cabinet loop.
    public func run(now: @escaping @Sendable () -> Date,
                    record: @escaping @Sendable (RecordCheckpoint) async -> RecordCheckpoint?) async {
        while !Task.isCancelled {
            await wake.wait(atMost: .seconds(86_400))
            guard !Task.isCancelled else { return }
            _ = await pass(now: now(), record: record, pause: { [settings] in try? await Task.sleep(for: settings.pause) })
        }
    }

    /// One pass: removes what a stopped pass left, plans a checkpoint, has it recorded, and
    /// removes what it covers. A refusal is logged and leaves the record as it was.
    public func pass(now: Date, record: @Sendable (RecordCheckpoint) async -> RecordCheckpoint?,
                     pause: @Sendable () async -> Void) async -> Pass {
        var result = Pass(checkpoint: nil, removed: 0)
        do {
            result.removed += try await removeCovered(pause: pause)
            let days = retentionDays.withLock { $0 }
            guard days > 0, !Task.isCancelled,
                  let plan = try store.planCheckpoint(now: now, retentionSeconds: days * 86_400, minimumEvents: settings.minimumEvents)
            else { return result }
            guard let recorded = await record(plan) else {
                logger.warning("compaction: the checkpoint was not recorded; the record stays as it is",
                               metadata: ["compaction.through": "\(plan.throughSequence)"])
                return result
            }
            result.checkpoint = recorded
            result.removed += try await removeCovered(pause: pause)
            logger.notice("compaction: events behind the checkpoint were removed", metadata: [
                "compaction.checkpoint": "\(recorded.sequence)", "compaction.through": "\(recorded.throughSequence)",
                "compaction.kept": "\(recorded.kept.count)", "compaction.removed": "\(result.removed)",
            ])
        } catch {
            CabinetStore.stopOnFailedSync(error, syncing: "a compaction step", metadata: [:], logger: logger)
            logger.error("compaction stopped; what it removed is gone, the rest stays until the next pass",
                         metadata: ["compaction.removed": "\(result.removed)", "error": "\(error)"])
        }
        return result
    }

    private func removeCovered(pause: @Sendable () async -> Void) async throws -> Int {
        var removed = 0
        var steps = 0
        defer { if steps > 0 { _ = try? store.checkpoint() } }
        while !Task.isCancelled {
            let step = try store.removeCompactedEvents(limit: settings.stepEvents)
            removed += step
            steps += 1
            guard step == settings.stepEvents else { break }
            // The removal's pages go through the WAL: checkpointed every few steps (about 10 MB),
            // so a large pass never grows it to SQLite's safety threshold, where the commit that
            // crosses it (a pickup's, perhaps) would pay for the checkpoint.
            if steps % 5 == 0 { _ = try store.checkpoint() }
            await pause()
        }
        return removed
    }
}
