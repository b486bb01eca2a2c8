import Foundation
import GRDB
public import LockerCore

extension CabinetStore {
    /// The halt in force (nil: the upload runs).
    public func uplinkHalt() throws -> UplinkHalt? {
        try pool.read { db in try CustodyTransaction.uplinkHalt(in: db) }
    }

    /// Halts the upload and records its alarm in one transaction. Power failure: before the commit
    /// nothing is halted and the next attempt meets the same answer again; after it, the halt and
    /// its alarm are both there (never one without the other), and a restart stays halted.
    public func haltUplink(_ halt: UplinkHalt, at stamp: EventStamp) throws {
        try transaction(at: stamp) { tx in
            try tx.haltUplink(halt)
            _ = try tx.append(halt.alarmEvent)
        }
    }
}

extension CustodyTransaction {
    static func uplinkHalt(in db: Database) throws -> UplinkHalt? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM uplink_halt WHERE id = 1") else { return nil }
        return UplinkHalt(epoch: row["epoch"], sequence: row["sequence"], code: row["code"], detail: row["detail"],
                          haltedAt: Date(timeIntervalSince1970: row["halted_at"]))
    }

    /// Stops the upload (replacing an earlier halt: the latest conflict is the one to resolve).
    public func haltUplink(_ halt: UplinkHalt) throws {
        try db.execute(
            sql: "INSERT OR REPLACE INTO uplink_halt (id, epoch, sequence, code, detail, halted_at) VALUES (1, ?, ?, ?, ?, ?)",
            arguments: [halt.epoch, halt.sequence, halt.code, halt.detail, halt.haltedAt.timeIntervalSince1970])
    }

    /// Lifts the halt; returns the one lifted (nil: the upload was not halted).
    public func clearUplinkHalt() throws -> UplinkHalt? {
        let halt = try Self.uplinkHalt(in: db)
        if halt != nil { try db.execute(sql: "DELETE FROM uplink_halt") }
        return halt
    }
}
