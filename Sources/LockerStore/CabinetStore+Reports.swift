import Foundation
import GRDB
public import LockerReports

/// What a report is computed from (`CustodyReportBuilder`), read in one go.
extension CabinetStore {
    /// Reads the record for a report of `period`: the custody events from the start of the record
    /// (what was inside when the period began, and what became of it since), every other event of
    /// the period, the whole parcels table, the doors and the acknowledgement marks; and rehashes
    /// the whole chain first, so the report can say the record it counted is the one recorded.
    ///
    /// The payload fields a report uses are extracted by SQLite (`json_extract`), not decoded in
    /// Swift: a month of a busy cabinet is some 50,000 events.
    public func reportInput(cabinet: String, period: ReportPeriod) throws -> ReportInput {
        let chain = Self.chainCheck(try verifyEventChain())
        return try pool.read { db in try Self.reportInput(db, cabinet: cabinet, period: period, chain: chain) }
    }

    /// The same from a database file that is not open as a store (a copy taken off a cabinet):
    /// opened read-only, never migrated, so the copy stays what it was. A copy made before
    /// `v12-reports` has no carriers and no acknowledgement times; its report says so by its
    /// figures ("" carrier, acknowledged without a time) rather than failing.
    public static func reportInput(databaseAt path: String, cabinet: String, period: ReportPeriod) throws -> ReportInput {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "lockerd.report"
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            guard try db.tableExists("events"), try db.tableExists("parcels") else {
                throw StoreError.invariantViolated("\(path) is not a lockerd database (no events or parcels table)")
            }
            let chain = chainCheck(try verifyEventChain(db))
            return try reportInput(db, cabinet: cabinet, period: period, chain: chain)
        }
    }

    static func chainCheck(_ verification: ChainVerification) -> ChainCheck {
        switch verification {
        case .intact(let events, _): ChainCheck(intact: true, eventsChecked: Int64(events))
        case .broken(let sequence, let reason):
            ChainCheck(intact: false, eventsChecked: max(0, sequence - 1), firstBadSequence: sequence, problem: reason)
        }
    }

    static func reportInput(_ db: Database, cabinet: String, period: ReportPeriod, chain: ChainCheck) throws -> ReportInput {
        do {
            let custody = ReportEventKind.custody.map { "'\($0)'" }.joined(separator: ",")
            // Columns by position (this is the hot loop of a report).
            var events: [ReportEvent] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT sequence, kind, occurred_at, compartment_id, parcel_id,
                       json_extract(payload, '$.parcel_ids') AS parcel_ids,
                       json_extract(payload, '$.temperature_class') AS temperature_class,
                       json_extract(payload, '$.size') AS size,
                       json_extract(payload, '$.courier_id') AS courier_id,
                       json_extract(payload, '$.carrier') AS carrier,
                       json_extract(payload, '$.tracking_number') AS tracking_number,
                       json_extract(payload, '$.consecutive_failures') AS count,
                       COALESCE(CAST(json_extract(payload, '$.board') AS TEXT), json_extract(payload, '$.zone')) AS subject,
                       json_extract(payload, '$.batch_started_at') AS batch_started_at
                FROM events
                WHERE kind IN (\(custody)) OR (occurred_at >= ? AND occurred_at < ?)
                ORDER BY sequence
                """, arguments: [period.start.timeIntervalSince1970, period.end.timeIntervalSince1970])
            while let row = try rows.next() {
                events.append(ReportEvent(
                    sequence: row[0], kind: row[1], occurredAt: row[2], compartmentID: row[3], parcelID: row[4],
                    parcelIDs: Self.integers(inJSONArray: row[5]), temperatureClass: row[6], size: row[7], courierID: row[8],
                    carrier: row[9], trackingNumber: row[10], count: row[11], subject: row[12], batchStartedAt: row[13]))
            }
            let parcels = try Row.fetchAll(db, sql: "SELECT * FROM parcels ORDER BY id").map { row in
                ReportParcel(
                    id: row["id"], trackingNumber: row["tracking_number"], size: row["size"], temperatureClass: row["temperature_class"],
                    compartmentID: row["compartment_id"], courierID: row["courier_id"], carrier: row["carrier"] ?? "",
                    depositedAt: row["deposited_at"], retentionDeadline: row["retention_deadline"], status: row["status"],
                    endedAt: row["ended_at"])
            }
            let compartments = try Row.fetchAll(db, sql: "SELECT id, label, size, temperature_class, state FROM compartments ORDER BY id").map { row in
                ReportCompartment(id: row["id"], label: row["label"], size: row["size"], temperatureClass: row["temperature_class"],
                                  inService: !["quarantined", "disabled"].contains(row["state"] as String))
            }
            let hasMarks = try db.tableExists("uplink_acknowledgements")
            let marks = try Row.fetchAll(db, sql: hasMarks ? "SELECT * FROM uplink_acknowledgements ORDER BY through_sequence" : "SELECT 1 WHERE 0").map { row in
                UplinkAcknowledgementMark(firstSequence: row["first_sequence"], throughSequence: row["through_sequence"],
                                          acknowledgedAt: row["acknowledged_at"])
            }
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence'") ?? 0
            // A broken checkpoint is the chain's finding (reported there), not a reason to refuse the report.
            let checkpoint = (try? latestCheckpoint(db)).flatMap { $0 }.map {
                ReportCompaction(checkpointSequence: $0.sequence, throughSequence: $0.throughSequence,
                                 coversUntil: Date(timeIntervalSince1970: $0.coversUntil), deposits: $0.totals.deposits,
                                 pickups: $0.totals.pickups, retrievals: $0.totals.retrievals, eventsRemoved: $0.totals.eventsRemoved)
            }
            return ReportInput(cabinet: cabinet, events: events, parcels: parcels, compartments: compartments, chain: chain,
                               acknowledgements: marks, acknowledgedThrough: acknowledged, checkpoint: checkpoint)
        }
    }

    /// "[3,17]" -> [3, 17]; anything else -> [].
    static func integers(inJSONArray text: String?) -> [Int64] {
        guard let text, text.first == "[" else { return [] }
        return text.dropFirst().dropLast().split(separator: ",").compactMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }
}
