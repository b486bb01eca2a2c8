public import Foundation
import GRDB
import LockerCore

/// What the daily summary (`report.daily_summary`, one per finished local day) needs of the
/// record: which day was summarised last, where the record begins, and, inside the transaction
/// that would record one, whether a day already has its summary. Reads only; no schema of its own.
extension CabinetStore {
    /// The local date ("YYYY-MM-DD") of the newest daily summary in the record, nil when there is
    /// none (a new record, or one whose summaries were all compacted away).
    public func lastDailySummaryDate() throws -> String? {
        try pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT json_extract(payload, '$.date') FROM events WHERE kind = ? ORDER BY sequence DESC LIMIT 1
                """, arguments: [CustodyEvent.Kind.dailySummary.rawValue])
        }
    }

    /// When the oldest event still in the record happened (nil: no event yet). No day that ended
    /// before it is summarised: the cabinet was not running then.
    public func firstEventTime() throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: "SELECT occurred_at FROM events ORDER BY sequence LIMIT 1").map(Date.init(timeIntervalSince1970:))
        }
    }
}

extension CustodyTransaction {
    /// The record already holds a daily summary of `date` (checked in the transaction that would
    /// add one, so no day is ever summarised twice).
    public func hasDailySummary(date: String) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM events WHERE kind = ? AND json_extract(payload, '$.date') = ?)
            """, arguments: [CustodyEvent.Kind.dailySummary.rawValue, date]) ?? false
    }
}
