public import Foundation
import GRDB
public import LockerCore

/// Writing a `CustodyChange` decided in Core: its rows and events in one durable transaction.
extension CabinetStore {
    /// Commits `change` (and `alsoWriting`, for rows outside custody such as a server command's
    /// record) in one transaction; returns the recorded events.
    ///
    /// Power failure: before the commit record is synced, none of it happened (SQLite rolls the
    /// whole transaction back on the next open) and nobody was told anything, since callers
    /// pulse latches and tell people only after this returns. After it, all of it happened.
    /// A violated schema invariant rolls everything back and is thrown.
    @discardableResult
    public func apply(
        _ change: CustodyChange, at stamp: EventStamp,
        alsoWriting extra: (@Sendable (CustodyTransaction) throws -> Void)? = nil
    ) throws -> [RecordedEvent] {
        try transaction(at: stamp) { tx in
            let recorded = try Self.write(change, in: tx)
            try extra?(tx)
            return recorded
        }
    }

    /// Writes `change` as statements of the transaction `tx` (which commits it, or not, whole).
    public static func write(_ change: CustodyChange, in tx: CustodyTransaction) throws -> [RecordedEvent] {
        for record in change.compartments { try tx.write(record) }
        for parcel in change.insertedParcels { try tx.insert(parcel) }
        for parcel in change.updatedParcels { try tx.update(parcel) }
        if let attemptGuard = change.attemptGuard { try tx.save(attemptGuard) }
        for update in change.courierGuards { try tx.saveCourierGuard(update.guard, courierID: update.courierID) }
        for intake in change.savedPreAdvice { try tx.savePreAdvice(intake) }
        for trackingNumber in change.removedPreAdvice { try tx.removePreAdvice(trackingNumber: trackingNumber) }
        for use in change.credentialUses {
            switch use {
            case .markUsed(let id): try tx.markCredentialUsed(id)
            case .forget(let id): try tx.forgetCredentialUse(id)
            }
        }
        return try change.events.map { try tx.append($0) }
    }
}

extension CustodyTransaction {
    /// Writes a compartment's row whole in one statement, so the schema's checks (a reserved door
    /// says what for; an available door has no code) see the final row. The code hash is left out
    /// of the statement when it does not change (most writes: a door opening or closing, a
    /// pickup's door opening): SQLite rewrites an index entry whenever its column is set, even
    /// to the same value, and the code-hash index's page would be one more page to write and
    /// sync before the door opens. A record taken from the model says which hash the row holds,
    /// and the statement writes the row only if it does (a model that no longer mirrors the store
    /// is refused, never written over); any other record has the row read first.
    public func write(_ record: CompartmentRecord) throws {
        let compartment = record.compartment
        let pending = try record.pending.map(StoredJSON.pendingOperation)
        let stored: String?
        switch record.storedCodeHash {
        case .known(let hash):
            stored = hash
        case .unknown:
            guard let current = try Row.fetchOne(db.cachedStatement(sql: "SELECT code_hash FROM compartments WHERE id = ?"),
                                                 arguments: [compartment.id])
            else { throw StoreError.noSuchCompartment(compartment.id) }
            stored = current[0]
        }
        if stored == record.codeHash {
            try run(sql: """
                UPDATE compartments SET state = ?, latch_cycles = ?, is_door_open = ?, quarantine_reason = ?,
                    pending_operation = ?
                WHERE id = ? AND code_hash IS ?
                """, arguments: [compartment.state.rawValue, compartment.latchCycles, compartment.isDoorOpen,
                                 compartment.quarantineReason, pending, compartment.id, stored])
        } else {
            try run(sql: """
                UPDATE compartments SET state = ?, latch_cycles = ?, is_door_open = ?, quarantine_reason = ?,
                    pending_operation = ?, code_hash = ?
                WHERE id = ? AND code_hash IS ?
                """, arguments: [compartment.state.rawValue, compartment.latchCycles, compartment.isDoorOpen,
                                 compartment.quarantineReason, pending, record.codeHash, compartment.id, stored])
        }
        guard db.changesCount == 1 else {
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM compartments WHERE id = ?)", arguments: [compartment.id]) == true
            else { throw StoreError.noSuchCompartment(compartment.id) }
            throw StoreError.invariantViolated("compartment \(compartment.id)'s stored code is not the one the cabinet's model holds")
        }
    }

    /// Inserts a parcel under the id Core gave it (the model's next id; the primary key refuses a
    /// second parcel with the same one).
    public func insert(_ parcel: Parcel) throws {
        try run(sql: """
            INSERT INTO parcels (id, tracking_number, recipient_reference, size, temperature_class, compartment_id,
                                 courier_id, deposited_at, retention_deadline, status, ended_at, carrier)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [parcel.id, parcel.trackingNumber, parcel.recipientReference, parcel.size.description,
                             parcel.temperatureClass.description, parcel.compartmentID, parcel.courierID,
                             parcel.depositedAt.timeIntervalSince1970, parcel.retentionDeadline.timeIntervalSince1970,
                             parcel.status.rawValue, parcel.status.isLive ? nil : stamp.wallClock.timeIntervalSince1970,
                             parcel.carrier])
    }

    /// Writes a parcel's status and retention deadline; a parcel that leaves custody ends now.
    public func update(_ parcel: Parcel) throws {
        let endedAt: Double? = parcel.status.isLive ? nil : stamp.wallClock.timeIntervalSince1970
        try run(sql: "UPDATE parcels SET status = ?, ended_at = ?, retention_deadline = ? WHERE id = ?",
                       arguments: [parcel.status.rawValue, endedAt, parcel.retentionDeadline.timeIntervalSince1970, parcel.id])
        guard db.changesCount == 1 else { throw StoreError.invariantViolated("no parcel with id \(parcel.id)") }
    }
}
