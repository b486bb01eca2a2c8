public import Foundation
import GRDB
public import LockerCore

/// The cold chain's record: temperature segments and excursions per zone.
///
/// Power failure: a segment is one INSERT in its own transaction; before its commit the segment is
/// absent (the record shows a gap for its minutes, which is what a reader must conclude: nothing
/// proves the temperature then), after it, present. Excursions are written in the same transaction
/// as their custody event (`CustodyTransaction.startExcursion`), so the outbox and the record agree.
extension CabinetStore {
    /// Writes a zone's open segment as it grows (insert when `id` is nil, else update that row)
    /// and returns its row id. Power failure: the row holds the samples up to its last commit;
    /// the minutes after show as a gap, which is the truth (nothing proves them).
    @discardableResult
    public func saveTemperatureSegment(_ segment: StoredTemperatureSegment, id: Int64?) throws -> Int64 {
        try writing { db in
            let arguments: StatementArguments = [
                segment.zone, segment.start.timeIntervalSince1970, segment.end.timeIntervalSince1970,
                segment.minCelsius, segment.maxCelsius, segment.lastCelsius, segment.sampleCount,
            ]
            if let id {
                try db.execute(
                    sql: """
                        UPDATE temperature_segments SET zone = ?, start_time = ?, end_time = ?, min_celsius = ?, max_celsius = ?,
                            last_celsius = ?, sample_count = ? WHERE id = ?
                        """,
                    arguments: arguments + [id])
                if db.changesCount == 1 { return id }
            }
            try db.execute(
                sql: """
                    INSERT INTO temperature_segments (zone, start_time, end_time, min_celsius, max_celsius, last_celsius, sample_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: arguments)
            return db.lastInsertedRowID
        }
    }

    public func appendTemperatureSegment(_ segment: StoredTemperatureSegment) throws {
        try writing { db in
            try db.execute(
                sql: """
                    INSERT INTO temperature_segments (zone, start_time, end_time, min_celsius, max_celsius, last_celsius, sample_count)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [segment.zone, segment.start.timeIntervalSince1970, segment.end.timeIntervalSince1970,
                            segment.minCelsius, segment.maxCelsius, segment.lastCelsius, segment.sampleCount])
        }
    }

    /// The segments of `zone` that overlap `from...to`, oldest first.
    public func temperatureSegments(zone: String, from: Date, to: Date) throws -> [StoredTemperatureSegment] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM temperature_segments WHERE zone = ? AND end_time >= ? AND start_time <= ?
                    ORDER BY start_time
                    """,
                arguments: [zone, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map { row in
                StoredTemperatureSegment(
                    zone: row["zone"], start: Date(timeIntervalSince1970: row["start_time"]), end: Date(timeIntervalSince1970: row["end_time"]),
                    minCelsius: row["min_celsius"], maxCelsius: row["max_celsius"], lastCelsius: row["last_celsius"],
                    sampleCount: row["sample_count"])
            }
        }
    }

    /// The excursions of `zone` that overlap `from...to` (an ongoing one overlaps everything after
    /// its start), oldest first.
    public func excursions(zone: String, from: Date, to: Date) throws -> [StoredExcursion] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM excursions WHERE zone = ? AND (end_time IS NULL OR end_time >= ?) AND start_time <= ?
                    ORDER BY start_time
                    """,
                arguments: [zone, from.timeIntervalSince1970, to.timeIntervalSince1970]
            ).map(Self.excursion(from:))
        }
    }

    /// Excursions still going on (after a restart the tracker picks them up again).
    public func ongoingExcursions() throws -> [StoredExcursion] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM excursions WHERE end_time IS NULL ORDER BY start_time").map(Self.excursion(from:))
        }
    }

    /// Forgets segments that ended before `cutoff` and belong to no parcel still to be accounted
    /// for: the caller passes the earliest deposit time of the parcels in custody (or recently
    /// picked up), and nothing after it is ever removed.
    @discardableResult
    public func pruneTemperatureSegments(endedBefore cutoff: Date) throws -> Int {
        try writing { db in
            try db.execute(sql: "DELETE FROM temperature_segments WHERE end_time < ?", arguments: [cutoff.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// The most recent parcel with this tracking number, live or not, and when its custody ended
    /// (nil while it is in the cabinet): the span a temperature record covers.
    public func custody(ofTrackingNumber trackingNumber: String) throws -> (parcel: Parcel, endedAt: Date?)? {
        try pool.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT * FROM parcels WHERE tracking_number = ? ORDER BY id DESC LIMIT 1", arguments: [trackingNumber])
            else { return nil }
            let ended: Double? = row["ended_at"]
            return (try CustodyTransaction.parcel(from: row), ended.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// The earliest deposit among the parcels still in custody or whose custody ended at or after
    /// `endedSince` (nil if none): their temperature record must be kept. One query, whatever
    /// the history's length.
    public func earliestDeposit(ofParcelsLiveOrEndedSince endedSince: Date) throws -> Date? {
        try pool.read { db in
            try Double.fetchOne(db, sql: """
                SELECT MIN(deposited_at) FROM parcels WHERE status IN ('in_custody', 'overdue') OR ended_at >= ?
                """, arguments: [endedSince.timeIntervalSince1970]).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// How many segments the record holds (status, tests, the footprint benchmark).
    public func temperatureSegmentCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM temperature_segments") ?? 0 }
    }

    static func excursion(from row: Row) -> StoredExcursion {
        let end: Double? = row["end_time"]
        return StoredExcursion(
            id: row["id"], zone: row["zone"], direction: row["direction"], start: Date(timeIntervalSince1970: row["start_time"]),
            end: end.map(Date.init(timeIntervalSince1970:)), peakCelsius: row["peak_celsius"])
    }
}
