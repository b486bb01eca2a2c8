public import Foundation
import GRDB
public import LockerCore

/// The writes allowed inside one store transaction. Each method is a statement of the same
/// transaction; nothing is durable until `CabinetStore.transaction` returns.
public struct CustodyTransaction {
    let db: Database
    public let epoch: String
    public let stamp: EventStamp
    /// The chain's tip as this transaction moves it (see `CabinetStore.transaction`).
    let chain: ChainTipBox

    /// Runs one statement prepared once per connection: every custody change runs the same few
    /// statements, and parsing their SQL anew each time was a quarter of a pickup's time in the
    /// store (the unlock waits for it).
    func run(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    // MARK: - Compartments

    public func compartment(_ id: Int) throws -> Compartment {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM compartments WHERE id = ?", arguments: [id]) else {
            throw StoreError.noSuchCompartment(id)
        }
        return try Self.compartment(from: row)
    }

    /// Writes the mutable fields (state, latch cycles, door, quarantine reason).
    public func update(_ compartment: Compartment) throws {
        try run(sql: """
            UPDATE compartments SET state = ?, latch_cycles = ?, is_door_open = ?, quarantine_reason = ?
            WHERE id = ?
            """, arguments: [compartment.state.rawValue, compartment.latchCycles, compartment.isDoorOpen,
                             compartment.quarantineReason, compartment.id])
        guard db.changesCount == 1 else { throw StoreError.noSuchCompartment(compartment.id) }
    }

    public func setPending(_ operation: PendingOperation?, compartmentID: Int) throws {
        let json = try operation.map(StoredJSON.pendingOperation)
        try run(sql: "UPDATE compartments SET pending_operation = ? WHERE id = ?", arguments: [json, compartmentID])
        guard db.changesCount == 1 else { throw StoreError.noSuchCompartment(compartmentID) }
    }

    public func setCodeHash(_ hash: String?, compartmentID: Int) throws {
        try run(sql: "UPDATE compartments SET code_hash = ? WHERE id = ?", arguments: [hash, compartmentID])
        guard db.changesCount == 1 else { throw StoreError.noSuchCompartment(compartmentID) }
    }

    public func isCodeHashLive(_ hash: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM compartments WHERE code_hash = ?)", arguments: [hash]) ?? false
    }

    // MARK: - Parcels

    public func insertParcel(
        trackingNumber: String, recipientReference: String, size: CompartmentSize,
        temperatureClass: TemperatureClass, compartmentID: Int, courierID: String, retentionDeadline: Date
    ) throws -> Parcel {
        try run(sql: """
            INSERT INTO parcels (tracking_number, recipient_reference, size, temperature_class, compartment_id,
                                 courier_id, deposited_at, retention_deadline, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'in_custody')
            """, arguments: [trackingNumber, recipientReference, size.description, temperatureClass.description,
                             compartmentID, courierID, stamp.wallClock.timeIntervalSince1970,
                             retentionDeadline.timeIntervalSince1970])
        return Parcel(id: db.lastInsertedRowID, trackingNumber: trackingNumber, recipientReference: recipientReference,
                      size: size, temperatureClass: temperatureClass, compartmentID: compartmentID, courierID: courierID,
                      depositedAt: stamp.wallClock, retentionDeadline: retentionDeadline)
    }

    public func liveParcels(compartmentID: Int) throws -> [Parcel] {
        try Row.fetchAll(db, sql: "SELECT * FROM parcels WHERE compartment_id = ? AND status IN ('in_custody','overdue') ORDER BY id",
                         arguments: [compartmentID]).map(Self.parcel(from:))
    }

    public func isTrackingNumberLive(_ trackingNumber: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM parcels WHERE tracking_number = ? AND status IN ('in_custody','overdue'))",
                          arguments: [trackingNumber]) ?? false
    }

    /// Ends (picked up, retrieved) or flags (overdue) parcels.
    public func setStatus(_ status: Parcel.Status, parcelIDs: [Int64]) throws {
        let endedAt: Double? = status.isLive ? nil : stamp.wallClock.timeIntervalSince1970
        for id in parcelIDs {
            try run(sql: "UPDATE parcels SET status = ?, ended_at = ? WHERE id = ?",
                           arguments: [status.rawValue, endedAt, id])
            guard db.changesCount == 1 else { throw StoreError.invariantViolated("no parcel with id \(id)") }
        }
    }

    // MARK: - Keypad guard

    public func save(_ attemptGuard: CodeAttemptGuard) throws {
        try run(sql: "UPDATE code_attempts SET consecutive_failures = ?, locked_until = ?, last_failure_at = ? WHERE id = 1",
                       arguments: [attemptGuard.consecutiveFailures, attemptGuard.lockedUntil?.timeIntervalSince1970,
                                   attemptGuard.lastFailureAt?.timeIntervalSince1970])
    }

    /// Saves one courier id's PIN throttle, or forgets it (`nil`: a right PIN or a technician's clear).
    public func saveCourierGuard(_ attemptGuard: CodeAttemptGuard?, courierID: String) throws {
        guard let attemptGuard else {
            try run(sql: "DELETE FROM courier_attempts WHERE courier_id = ?", arguments: [courierID])
            return
        }
        try run(sql: """
            INSERT INTO courier_attempts (courier_id, consecutive_failures, locked_until, last_failure_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (courier_id) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
                locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at
            """, arguments: [courierID, attemptGuard.consecutiveFailures, attemptGuard.lockedUntil?.timeIntervalSince1970,
                               attemptGuard.lastFailureAt?.timeIntervalSince1970])
    }

    /// Records the server's request to be sent events again from `sequence` (the lowest such
    /// request wins until the uplink takes it up).
    public func requestUplinkResend(from sequence: Int64) throws {
        try run(sql: """
            INSERT INTO meta (key, value) VALUES ('uplink_resend_from', ?)
            ON CONFLICT (key) DO UPDATE SET value = MIN(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
            """, arguments: [String(sequence)])
    }

    // MARK: - Offline credentials

    /// Records a single-use credential as used; a second time is refused by the schema.
    public func markCredentialUsed(_ id: String) throws {
        try run(sql: "INSERT INTO used_credentials (id, used_at) VALUES (?, ?)", arguments: [id, stamp.wallClock.timeIntervalSince1970])
    }

    /// A credential whose door never opened is usable again.
    public func forgetCredentialUse(_ id: String) throws {
        try run(sql: "DELETE FROM used_credentials WHERE id = ?", arguments: [id])
    }

    /// Keeps the latest time this cabinet has recorded (never moves back).
    public func advanceTimeHighWater() throws {
        try run(sql: "UPDATE chain SET time_high_water = MAX(time_high_water, ?) WHERE id = 1",
                       arguments: [stamp.wallClock.timeIntervalSince1970])
    }

    // MARK: - Downlink

    /// The recorded status of a command already carried out (nil: never seen).
    public func downlinkCommandStatus(_ id: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT status FROM downlink_commands WHERE id = ?", arguments: [id])
    }

    /// Marks a command carried out; a second time for the same id is refused by the schema.
    public func recordDownlinkCommand(id: String, type: String, status: String, detail: String) throws {
        try run(sql: "INSERT INTO downlink_commands (id, type, status, detail, executed_at) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, type, status, detail, stamp.wallClock.timeIntervalSince1970])
    }

    /// How many commands of `type` ended with `status` since `since` (remote opens per hour).
    public func downlinkCommandCount(type: String, status: String, since: Date) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM downlink_commands WHERE type = ? AND status = ? AND executed_at >= ?",
                         arguments: [type, status, since.timeIntervalSince1970]) ?? 0
    }

    /// Replaces the server's courier list: (id, name, carrier, PIN hash).
    public func replaceServerCouriers(_ couriers: [(id: String, name: String, carrier: String, pinHash: String)]) throws {
        try run(sql: "DELETE FROM server_couriers")
        for courier in couriers {
            try run(sql: "INSERT INTO server_couriers (id, name, carrier, pin_hash) VALUES (?, ?, ?, ?)",
                           arguments: [courier.id, courier.name, courier.carrier, courier.pinHash])
        }
    }

    /// The server's configuration changes (a JSON object), replacing the previous ones.
    public func saveConfigurationOverrides(_ json: String) throws {
        try run(sql: "INSERT OR REPLACE INTO configuration_overrides (id, json) VALUES (1, ?)", arguments: [json])
    }

    public func savePreAdvice(_ intake: ParcelIntake) throws {
        let text = String(decoding: try JSONEncoder().encode(intake), as: UTF8.self)
        try run(sql: "INSERT OR REPLACE INTO pre_advice (tracking_number, intake, received_at) VALUES (?, ?, ?)",
                       arguments: [intake.trackingNumber, text, stamp.wallClock.timeIntervalSince1970])
    }

    public func removePreAdvice(trackingNumber: String) throws {
        try run(sql: "DELETE FROM pre_advice WHERE tracking_number = ?", arguments: [trackingNumber])
    }

    // MARK: - Outbox

    /// Records the start of an excursion (with its event, in this transaction); returns its id.
    public func startExcursion(zone: String, direction: String, start: Date, peakCelsius: Double) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO excursions (zone, direction, start_time, peak_celsius) VALUES (?, ?, ?, ?)",
            arguments: [zone, direction, start.timeIntervalSince1970, peakCelsius])
        return db.lastInsertedRowID
    }

    /// Records an excursion's end and its final peak.
    public func endExcursion(id: Int64, end: Date, peakCelsius: Double) throws {
        try db.execute(
            sql: "UPDATE excursions SET end_time = ?, peak_celsius = ? WHERE id = ? AND end_time IS NULL",
            arguments: [end.timeIntervalSince1970, peakCelsius, id])
    }

    /// Appends an event with the next gap-free sequence number, chained to the one before. The
    /// sequence and the previous hash come from the chain's tip the store keeps in memory (read
    /// from the `chain` row only when it has none); the schema refuses an event that does not
    /// follow what that row records, and its INSERT moves the row on (`v17-chain-row`).
    @discardableResult
    public func append(_ event: CustodyEvent) throws -> RecordedEvent {
        let tip = try chain.tip ?? recordedTip()
        let sequence = tip.nextSequence, previous = tip.head
        let payload = try StoredJSON.payload(event.payload)
        let occurredAt = stamp.wallClock.timeIntervalSince1970
        let monotonic = Int64(bitPattern: stamp.monotonicNanoseconds)
        let hash = EventHashChain.hash(
            previous: previous, sequence: sequence, epoch: epoch, kind: event.kind.rawValue, occurredAt: occurredAt,
            monotonicNanoseconds: monotonic, compartmentID: event.compartmentID, parcelID: event.parcelID, payload: payload)
        try run(sql: """
            INSERT INTO events (sequence, epoch, kind, occurred_at, monotonic_ns, compartment_id, parcel_id, payload,
                                previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [sequence, epoch, event.kind.rawValue, occurredAt, monotonic, event.compartmentID,
                             event.parcelID, payload, previous, hash])
        chain.tip = ChainTip(nextSequence: sequence + 1, head: hash)
        return RecordedEvent(sequence: sequence, epoch: epoch, kind: event.kind.rawValue, occurredAt: stamp.wallClock,
                             monotonicNanoseconds: stamp.monotonicNanoseconds, compartmentID: event.compartmentID,
                             parcelID: event.parcelID, payload: payload, previousHash: previous, hash: hash)
    }

    /// The tip the `chain` row records (read when the store holds none in memory).
    private func recordedTip() throws -> ChainTip {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT next_sequence, head FROM chain WHERE id = 1")) else {
            throw StoreError.invariantViolated("the chain row recording the event chain's tip is missing")
        }
        return ChainTip(nextSequence: row[0], head: row[1])
    }

    // MARK: - Row mapping

    static func compartment(from row: Row) throws -> Compartment {
        let label: String = row["label"]
        guard let size = CompartmentSize(label: row["size"]),
              let temperatureClass = TemperatureClass(label: row["temperature_class"]),
              let state = CompartmentState(rawValue: row["state"])
        else { throw StoreError.invariantViolated("compartment \(label) has an unknown size, class or state") }
        return Compartment(
            id: row["id"], label: label, size: size, temperatureClass: temperatureClass,
            isAccessible: row["is_accessible"], state: state, latchCycles: row["latch_cycles"],
            isDoorOpen: row["is_door_open"], quarantineReason: row["quarantine_reason"])
    }

    static func parcel(from row: Row) throws -> Parcel {
        let tracking: String = row["tracking_number"]
        guard let size = CompartmentSize(label: row["size"]),
              let temperatureClass = TemperatureClass(label: row["temperature_class"]),
              let status = Parcel.Status(rawValue: row["status"])
        else { throw StoreError.invariantViolated("parcel \(tracking) has an unknown size, class or status") }
        return Parcel(
            id: row["id"], trackingNumber: tracking, recipientReference: row["recipient_reference"], size: size,
            temperatureClass: temperatureClass, compartmentID: row["compartment_id"], courierID: row["courier_id"],
            depositedAt: Date(timeIntervalSince1970: row["deposited_at"]),
            retentionDeadline: Date(timeIntervalSince1970: row["retention_deadline"]), status: status,
            carrier: row["carrier"] ?? "")
    }
}
