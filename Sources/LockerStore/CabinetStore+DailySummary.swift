public import Foundation
import GRDB
import LockerCore

/// What the daily summary (`report.daily_summary`, one per finished local day) needs of the
/// record: the newest day summarised, where the record begins, and, inside the transaction that
/// would record one, whether a day already has its summary. Reads only; no schema of its own.
///
/// `kind` has no index, so every read here is bounded by sequence (the primary key): the
/// summarizer reads the events after the last ones it looked at, and the transaction on the
/// cabinet loop looks only at events recorded since the summarizer's read, never the whole record.
extension CabinetStore {
    /// After event `sequence`: the newest date ("YYYY-MM-DD") a daily summary covers (nil: none),
    /// the newest sequence now (what to read after next time), and when the oldest event still in
    /// the record happened (nil: no event yet).
    public func dailySummaries(after sequence: Int64) throws -> (newestDate: String?, headSequence: Int64, firstEventAt: Date?) {
        try pool.read { db in
            let newest = try String.fetchOne(db, sql: """
                SELECT MAX(json_extract(payload, '$.date')) FROM events WHERE sequence > ? AND kind = ?
                """, arguments: [sequence, CustodyEvent.Kind.dailySummary.rawValue])
            let head = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
            let first = try Double.fetchOne(db, sql: "SELECT occurred_at FROM events ORDER BY sequence LIMIT 1")
            return (newest, head, first.map(Date.init(timeIntervalSince1970:)))
        }
    }
}

extension CustodyTransaction {
    /// A daily summary of `date` was recorded after event `sequence` (checked in the transaction
    /// that would add one: with the summarizer's own read up to `sequence`, no day is ever
    /// summarised twice).
    public func hasDailySummary(date: String, after sequence: Int64) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM events WHERE sequence > ? AND kind = ? AND json_extract(payload, '$.date') = ?)
            """, arguments: [sequence, CustodyEvent.Kind.dailySummary.rawValue, date]) ?? false
    }
}
