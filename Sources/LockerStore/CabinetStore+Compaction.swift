public import Foundation
import GRDB
import LockerCore

/// Compaction: acknowledged events older than the retention leave the store, behind a checkpoint,
/// so that a cabinet's record stays within its storage budget for good while every custody
/// question (the chain, reconciliation, a parcel still inside) can still be answered.
///
/// In three steps, each safe to lose power in:
/// 1. `planCheckpoint` (a read, beside the writer): where to cut, what to keep, the totals.
///    Power failure: nothing was written.
/// 2. `recordCheckpoint` (one transaction): the `record.checkpoint` event, its row and the kept
///    list. Power failure before the commit: no checkpoint, nothing removed; after it: the
///    checkpoint is in force and the events it covers may go.
/// 3. `removeCompactedEvents` (bounded transactions of at most `limit` events each, so a
///    pickup's commit never waits long behind one). Power failure between two: the events not yet
///    removed stay, still verifiable (each one rehashes, and any two neighbours still link), and
///    the next run removes them before planning anything new.
extension CabinetStore {
    /// The custody kinds whose events the totals count.
    static let depositKinds = ["deposit.committed", "deposit.recovered"]

    /// Where the next checkpoint would cut and what it would keep, or nil when fewer than
    /// `minimumEvents` events are old enough and acknowledged (a checkpoint for a handful of
    /// events costs more than it frees).
    ///
    /// The cut is the last event before the first one (in sequence order) that is younger than
    /// `now - retentionSeconds`, and never past the server's acknowledgement. A clock set back
    /// cannot make a young event old: the cut stops at the first young one in sequence order.
    public func planCheckpoint(now: Date, retentionSeconds: Double, minimumEvents: Int64 = 1_000) throws -> RecordCheckpoint? {
        try pool.read { db in
            let previous = try Self.latestCheckpoint(db)
            let previousThrough = previous?.throughSequence ?? 0
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence'") ?? 0
            let horizon = now.timeIntervalSince1970 - retentionSeconds
            let firstYoung = try Int64.fetchOne(db, sql: "SELECT MIN(sequence) FROM events WHERE sequence > ? AND occurred_at >= ?",
                                                arguments: [previousThrough, horizon])
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
            let through = min(acknowledged, (firstYoung ?? (last + 1)) - 1, last)
            guard through - previousThrough >= max(1, minimumEvents) else { return nil }
            guard let throughHash = try String.fetchOne(db, sql: "SELECT hash FROM events WHERE sequence = ?", arguments: [through]) else {
                // The cut must be an event this record holds (it names its hash).
                return nil
            }
            // Parcels whose events stay: inside now, or named by an event after the cut (a pickup
            // after the cut keeps the deposit before it, so no parcel's story is ever cut in two).
            let referencing = "(e.parcel_id IN keep OR (instr(e.payload, '\"parcel_ids\"') > 0 AND EXISTS (SELECT 1 FROM json_each(e.payload, '$.parcel_ids') j WHERE j.value IN keep)))"
            let keepSet = """
                WITH keep(id) AS MATERIALIZED (
                    SELECT id FROM parcels WHERE status IN ('in_custody','overdue')
                    UNION SELECT parcel_id FROM events WHERE sequence > :through AND parcel_id IS NOT NULL
                    UNION SELECT j.value FROM events e2, json_each(e2.payload, '$.parcel_ids') j
                          WHERE e2.sequence > :through AND instr(e2.payload, '"parcel_ids"') > 0)
                """
            let kept = try Row.fetchAll(db, sql: """
                \(keepSet)
                SELECT e.sequence, e.hash FROM events e WHERE e.sequence <= :through AND \(referencing) ORDER BY e.sequence
                """, arguments: ["through": through]).map { RecordCheckpoint.KeptEvent(sequence: $0[0], hash: $0[1]) }
            // Totals of the part that goes: the previous checkpoint's, plus this range's.
            let deposits = Self.depositKinds.map { "'\($0)'" }.joined(separator: ",")
            let range = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) FILTER (WHERE kind IN (\(deposits))),
                       COALESCE(SUM(json_array_length(payload, '$.parcel_ids')) FILTER (WHERE kind = 'pickup.committed'), 0),
                       COALESCE(SUM(json_array_length(payload, '$.parcel_ids')) FILTER (WHERE kind = 'retrieval.committed'), 0),
                       COUNT(*), COALESCE(MAX(occurred_at), 0)
                FROM events WHERE sequence > ? AND sequence <= ?
                """, arguments: [previousThrough, through])
            // Removed now: this range's events but the kept ones, and the previous checkpoint's
            // kept events that no parcel needs any more.
            let keptInRange = Int64(kept.filter { $0.sequence > previousThrough }.count)
            let released = Int64((previous?.kept.count ?? 0) - kept.filter { $0.sequence <= previousThrough }.count)
            var totals = previous?.totals ?? RecordCheckpoint.Totals()
            totals.deposits += range?[0] ?? 0
            totals.pickups += range?[1] ?? 0
            totals.retrievals += range?[2] ?? 0
            totals.eventsRemoved += (range?[3] ?? 0) - keptInRange + released
            let coversUntil = max(previous?.coversUntil ?? 0, range?[4] ?? 0)
            let inside = try Row.fetchAll(db, sql: """
                SELECT id, compartment_id, temperature_class FROM parcels WHERE status IN ('in_custody','overdue') ORDER BY id
                """).map { RecordCheckpoint.InsideParcel(parcelID: $0[0], compartmentID: $0[1], temperatureClass: $0[2]) }
            return RecordCheckpoint(throughSequence: through, throughHash: throughHash, coversUntil: coversUntil, kept: kept,
                                    previousCheckpoint: previous?.sequence ?? 0, inside: inside, totals: totals)
        }
    }

    /// The newest checkpoint, read back from its event (nil: the record was never compacted).
    public func latestCheckpoint() throws -> RecordCheckpoint? {
        try pool.read { db in try Self.latestCheckpoint(db) }
    }

    static func latestCheckpoint(_ db: Database) throws -> RecordCheckpoint? {
        guard try db.tableExists("checkpoints"),
              let sequence = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM checkpoints") else { return nil }
        guard let payload = try String.fetchOne(db, sql: "SELECT payload FROM events WHERE sequence = ? AND kind = ?",
                                                arguments: [sequence, CustodyEvent.Kind.recordCheckpoint.rawValue]),
              let checkpoint = RecordCheckpoint.decode(sequence: sequence, payload: payload)
        else {
            throw StoreError.invariantViolated("checkpoint \(sequence) has no readable record.checkpoint event")
        }
        return checkpoint
    }

    /// Events a checkpoint covers that are still here and not kept (left by a run that stopped).
    public func compactableEventCount() throws -> Int64 {
        try pool.read { db in
            guard try db.tableExists("checkpoints") else { return 0 }
            return try Int64.fetchOne(db, sql: """
                SELECT COUNT(*) FROM events
                WHERE sequence <= COALESCE((SELECT MAX(through_sequence) FROM checkpoints), 0)
                  AND sequence NOT IN (SELECT sequence FROM checkpoint_kept)
                """) ?? 0
        }
    }

    /// Removes at most `limit` events the newest checkpoint covers and does not keep, oldest
    /// first, in one transaction; returns how many went (0: none are left). The schema refuses
    /// any other removal.
    @discardableResult
    public func removeCompactedEvents(limit: Int) throws -> Int {
        try writing { db in
            try db.execute(sql: """
                DELETE FROM events WHERE sequence IN (
                    SELECT sequence FROM events
                    WHERE sequence <= COALESCE((SELECT MAX(through_sequence) FROM checkpoints), 0)
                      AND sequence NOT IN (SELECT sequence FROM checkpoint_kept)
                    ORDER BY sequence LIMIT ?)
                """, arguments: [limit])
            return db.changesCount
        }
    }
}

extension CustodyTransaction {
    /// Records `checkpoint` (planned by `CabinetStore.planCheckpoint`): its event in the chain,
    /// its row, and the kept list the schema protects. Returns it with its event's sequence.
    /// Refused (rolled back) when it no longer fits: the acknowledgement or a newer checkpoint
    /// moved, or the cut's hash changed under it.
    public func recordCheckpoint(_ checkpoint: RecordCheckpoint) throws -> RecordCheckpoint {
        let hash = try String.fetchOne(db, sql: "SELECT hash FROM events WHERE sequence = ?", arguments: [checkpoint.throughSequence])
        guard hash == checkpoint.throughHash else {
            throw StoreError.invariantViolated("the checkpoint's cut (event \(checkpoint.throughSequence)) is not the event it was planned on")
        }
        let recorded = try append(checkpoint.event)
        try db.execute(sql: """
            INSERT INTO checkpoints (sequence, through_sequence, through_hash, covers_until, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [recorded.sequence, checkpoint.throughSequence, checkpoint.throughHash, checkpoint.coversUntil,
                             stamp.wallClock.timeIntervalSince1970])
        try db.execute(sql: "DELETE FROM checkpoint_kept")
        for event in checkpoint.kept {
            try db.execute(sql: "INSERT INTO checkpoint_kept (sequence, hash) VALUES (?, ?)", arguments: [event.sequence, event.hash])
        }
        var result = checkpoint
        result.sequence = recorded.sequence
        return result
    }
}
