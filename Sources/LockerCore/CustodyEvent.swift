/// One entry of the custody record, before the store gives it a sequence number.
///
/// Every custody transition writes one in the same transaction as the state change (transactional
/// outbox); the uplink later sends them to the central server in sequence order.
public struct CustodyEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case daemonStarted = "daemon.started"
        /// The deposit door's latch is about to be pulsed (recorded first, so that a power
        /// failure never leaves an opening without a record); not yet seen open.
        case depositDoorOpened = "deposit.door_opened"
        /// The sensor saw that deposit door open after its pulse.
        case depositDoorSeenOpen = "deposit.door_seen_open"
        case depositCommitted = "deposit.committed"
        case depositCancelled = "deposit.cancelled"
        case depositRecovered = "deposit.recovered"
        case pickupDoorOpened = "pickup.door_opened"
        case pickupCommitted = "pickup.committed"
        case pickupNotTaken = "pickup.not_taken"
        case pickupReopened = "pickup.reopened"
        case retrievalDoorOpened = "retrieval.door_opened"
        case retrievalCommitted = "retrieval.committed"
        case retrievalNotTaken = "retrieval.not_taken"
        case parcelOverdue = "parcel.overdue"
        case codeLockout = "keypad.locked_out"
        /// One courier id had too many wrong PINs: that id waits `lockout_seconds`.
        case courierLockout = "courier.locked_out"
        /// A technician cleared the keypad's lockout and the courier throttles (`lockerctl lockout clear`).
        case lockoutCleared = "keypad.lockout_cleared"
        case latchFailed = "latch.failed"
        case compartmentQuarantined = "compartment.quarantined"
        /// A technician put a quarantined or disabled compartment back into service.
        case compartmentEnabled = "compartment.enabled"
        case doorForcedOpen = "door.forced_open"
        /// A door opened, and closed again, for no parcel: by the central server (`remote_open`)
        /// or a technician (`lockerctl open`); `opened_for` says which (`remote_open <command id>`,
        /// `maintenance`). The door's movements are in the record as for any parcel's door.
        case doorOpenedOnCommand = "door.opened"
        case doorClosedAfterCommand = "door.closed"
        case doorLeftOpen = "door.left_open"
        case doorClosedAfterAlarm = "door.closed_after_alarm"
        case doorReconciled = "door.reconciled"
        /// Found open after its board was silent or lockerd was down, with no operation that
        /// opened it: someone opened it unseen (`outage_from`, `outage_to`, `parcel_ids`).
        case doorOpenedUnseen = "door.opened_unseen"
        /// An occupied door's item sensor sees nothing, with no pickup or retrieval under way:
        /// the parcels were taken unseen; the door is quarantined (`parcel_ids`,
        /// `tracking_numbers`, `outage_from`, `outage_to`).
        case parcelMissing = "parcel.missing"
        /// A free door's item sensor sees something nobody deposited: the door is quarantined
        /// so that no courier puts a second parcel behind it.
        case unexpectedItem = "door.unexpected_item"
        case boardOffline = "board.offline"
        case boardOnline = "board.online"
        /// A technician's action on the maintenance socket: who (uid, user), what, why, and the
        /// result. In the same hash chain as custody, so the audit trail cannot be edited apart from it.
        case maintenanceAction = "maintenance.action"
        /// The store reached its budget (or its disk is nearly full): deposits stop, pickups go on.
        case storageFull = "storage.full"
        case storageRecovered = "storage.recovered"
        /// What became of a command from the central server (done or refused, and why).
        case commandResult = "command.result"
        /// A cold zone outside its band beyond the grace (start, peak so far), and back in band
        /// (start, end, peak, duration).
        case excursionStarted = "coldchain.excursion_started"
        case excursionEnded = "coldchain.excursion_ended"
        /// A probe that cannot be trusted (CRC failures, the power-on value, disconnected, stuck,
        /// an impossible jump): its zone runs in its safe state and takes no cold parcels.
        case probeFault = "coldchain.probe_fault"
        case probeRecovered = "coldchain.probe_recovered"
        /// The database was damaged at start and moved aside (`moved_to`, `reason`); this record
        /// starts afresh and every door is quarantined until a technician checks it.
        case storeMovedAside = "store.moved_aside"
        /// The central server holds a different event under one of ours (`409 hash_conflict`) or
        /// cannot recompute one of our hashes (`422 bad_hash`): the upload stopped and waits for
        /// people (`epoch`, `sequence`, `code`, `detail`) until a technician resumes it.
        case uplinkHalted = "uplink.halted"
        /// The oldest event not yet acknowledged by the central server is older than
        /// `uplink.backlogAlarmHours` (`oldest_sequence`, `oldest_at`, `unsent`, `limit_hours`), and
        /// the backlog has caught up again (`uplink.backlog_caught_up`).
        case uplinkBacklogOld = "uplink.backlog_old"
        case uplinkBacklogCaughtUp = "uplink.backlog_caught_up"
        /// The device key was lost and made anew: the codes of `parcel_ids` no longer work and
        /// the server is to issue new ones.
        case codesInvalidated = "codes.invalidated"
        /// Acknowledged events older than the retention may now be removed: a checkpoint of the
        /// record (`through_sequence`, `through_hash`, the kept events, the parcels inside, the
        /// totals of what was removed; see `RecordCheckpoint` in the store).
        case recordCheckpoint = "record.checkpoint"
        /// Another client took this cabinet's session at the MQTT broker (`broker`): the same
        /// cabinet id runs twice, a cloned card most likely. Recorded at most once an hour.
        case uplinkSessionTakenOver = "uplink.session_taken_over"
        /// The figures of one finished local day (see `DailySummarizer` in the daemon).
        case dailySummary = "report.daily_summary"
    }

    public var kind: Kind
    public var compartmentID: Int?
    public var parcelID: Int64?
    public var payload: [String: EventValue]

    public init(_ kind: Kind, compartmentID: Int? = nil, parcelID: Int64? = nil, payload: [String: EventValue] = [:]) {
        self.kind = kind
        self.compartmentID = compartmentID
        self.parcelID = parcelID
        self.payload = payload
    }
}

/// A JSON scalar in an event payload.
public enum EventValue: Sendable, Equatable, Codable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case strings([String])
    case ints([Int64])

    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([Int64].self) { self = .ints(value) }
        else { self = .strings(try container.decode([String].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let v): try container.encode(v)
        case .int(let v): try container.encode(v)
        case .double(let v): try container.encode(v)
        case .bool(let v): try container.encode(v)
        case .strings(let v): try container.encode(v)
        case .ints(let v): try container.encode(v)
        }
    }
}
