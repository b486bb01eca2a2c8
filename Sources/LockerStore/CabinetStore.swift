public import Foundation
import GRDB
import Synchronization
public import LockerCore

/// The durable store: the one type that writes custody data.
///
/// Durability contract: every `transaction` is one SQLite transaction in WAL mode with
/// `synchronous=FULL`, so when it returns the commit record is on stable storage. If power fails
/// before the WAL commit frame is synced, SQLite rolls the whole transaction back on next open: the
/// state change and its event are both absent, and nobody was told anything (callers tell people
/// and pulse latches only after `transaction` returned). If power fails after, both are present.
public final class CabinetStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// The epoch new events are recorded under (see `beginEpoch`).
    public var epoch: String { currentEpoch.withLock { $0 } }
    private let currentEpoch: Mutex<String>
    /// The chain's tip after the last commit, so that a custody commit does not read it from the
    /// `chain` row first (a statement before the door opens). Only `transaction` appends events;
    /// the schema refuses an event that does not follow the `chain` row, so a tip gone stale (another
    /// process writing the file) costs one refused commit, after which it is read again.
    private let chainTip = Mutex<ChainTip?>(nil)
    /// How many writes are waiting for the pool's writer or holding it (`writing`): a rehearsal
    /// (`rehearseCustodyWrite`) steps aside rather than wait behind one on the cabinet loop.
    let writesUnderWay = Atomic<Int>(0)

    /// Opens (creating if needed) and migrates the database, then verifies that commits are durable.
    /// Refuses to open a database that fails `quick_check`.
    public init(path: String) throws {
        self.path = path
        var configuration = Configuration()
        configuration.label = "lockerd.store"
        configuration.busyMode = .timeout(5)
        // Bounded memory: readers (the uplink, reports, compaction, the daily summary) rarely
        // overlap, and each open reader keeps its own page cache and schema. SQLite's default cache
        // (2 MB a connection, five readers) would fill as the record grows past it; the pages stay
        // in the kernel's page cache anyway, shared and reclaimable. (On the footprint soak's 27 MB
        // record the bound made no measurable difference; it bounds the years after.)
        configuration.maximumReaderCount = Self.maximumReaders
        configuration.prepareDatabase { db in
            // The writer's pickup transaction touches a few dozen pages; readers scan and move on.
            try db.execute(sql: "PRAGMA cache_size = -\(db.configuration.readonly ? Self.readerCacheKiB : Self.writerCacheKiB)")
            // Set and read back on every connection: a connection that silently runs with a weaker
            // setting would acknowledge custody it could lose.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            guard synchronous == 2 else {
                throw StoreError.unsafePragma(name: "synchronous", expected: "2 (FULL)", found: String(synchronous))
            }
        }
        // Before any writing connection exists: a foreign WAL is seen, never checkpointed in.
        try DatabaseIdentity.checkBeforeOpening(path: path)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let journalMode = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
            guard journalMode.lowercased() == "wal" else {
                throw StoreError.unsafePragma(name: "journal_mode", expected: "wal", found: journalMode)
            }
            let check = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            guard check == ["ok"] else {
                throw StoreError.integrityCheckFailed(path: path, detail: check.prefix(5).joined(separator: "; "))
            }
            // GRDB puts its writer connection in WAL mode after `prepareDatabase` ran, and that
            // sets `synchronous = NORMAL` on it: commits would then not sync the WAL, and a
            // transaction that returned could vanish in a power cut (the fault battery's lost-write
            // test proved it). So FULL is set again on the writer itself and read back there, and
            // a checkpoint makes GRDB's own WAL-creating commit durable before anything relies on it.
            let writerSynchronous = try pool.writeWithoutTransaction { db -> Int in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // SQLite's automatic checkpoint runs inside the commit that crosses its threshold:
                // every ~150 custody commits, a pickup's commit would copy the WAL into the
                // database and sync both files before its unlock frame goes out. lockerd
                // checkpoints while no door operation is under way instead (`checkpoint`); this
                // far higher threshold only bounds the WAL should no quiet moment ever come.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walSafetyCheckpointPages)")
                _ = try db.checkpoint(.passive)
                return try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            }
            guard writerSynchronous == 2 else {
                throw StoreError.unsafePragma(name: "synchronous (writer)", expected: "2 (FULL)", found: String(writerSynchronous))
            }
        } catch let error as DatabaseError where [.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            throw StoreError.corrupt(path: path, detail: error.message ?? "\(error)")
        }
        try Self.migrator.migrate(pool)
        let identity = try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'identity'") ?? "" }
        try DatabaseIdentity.checkOrRecord(identity, path: path)
        self.pool = pool
        self.currentEpoch = Mutex(try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") ?? ""
        })
    }

    /// WAL pages after which SQLite checkpoints inside a commit, if `checkpoint` was not called
    /// for that long (about 40 MB of 4 KB pages).
    static let walSafetyCheckpointPages = 10_000
    /// Page caches and readers (see `init`): 1 MiB for the writer, 256 KiB for each of at most
    /// three readers, against SQLite's 2 MB for each of GRDB's five.
    static let writerCacheKiB = 1_024
    static let readerCacheKiB = 256
    static let maximumReaders = 3

    /// Copies the committed WAL frames into the database file (a passive checkpoint: it waits for
    /// no reader and leaves frames a reader still needs), so the WAL is reused from its start by
    /// a later commit. Nothing to copy costs no write and no fsync. lockerd calls it between door
    /// operations (`CabinetController.checkpointIfDue`). Returns the WAL's frame count.
    @discardableResult
    public func checkpoint() throws -> Int {
        try writingWithoutTransaction { db in try db.checkpoint(.passive).walFrameCount }
    }

    /// The database's identity (see `DatabaseIdentity`), kept for life.
    public var identity: String {
        (try? pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'identity'") }) ?? ""
    }

    /// Moves a damaged database (and its WAL and shared-memory files) aside to
    /// `<path>.corrupt-<UTC time>` so a new one can be created without writing over anything a
    /// person may still recover custody from. Returns the new path of the database file.
    /// Power failure: each rename is atomic. The WAL and shared memory go first, so a new database
    /// is never created next to the old one's WAL (SQLite would try to replay it into the new
    /// file). A cut between the renames leaves the damaged files under two names; nothing is
    /// ever deleted, and the next start moves what is left aside again.
    public static func moveAside(path: String, at date: Date) throws -> String {
        let stamp = date.formatted(Date.ISO8601FormatStyle().year().month().day().time(includingFractionalSeconds: false)
            .timeSeparator(.omitted).dateSeparator(.omitted))
        let aside = "\(path).corrupt-\(stamp)"
        let manager = FileManager.default
        // The identity record goes last: a cut before it leaves the record with no database,
        // which the next start takes for earlier life and moves aside too.
        for suffix in ["-wal", "-shm", "", ".identity"] where manager.fileExists(atPath: path + suffix) {
            try manager.moveItem(atPath: path + suffix, toPath: aside + suffix)
        }
        return aside
    }

    // MARK: - Epochs

    /// Starts a new epoch at the next sequence number; lockerd calls it once per start. Whatever
    /// this database records from now on carries an id no other copy of it has ever used: a
    /// restored backup or a cloned card, started, cannot send the server new events under a key
    /// the server already holds. Power failure: before the commit the old epoch goes on (harmless:
    /// nothing was recorded under the new one); after it, the new one is in force.
    @discardableResult
    public func beginEpoch(at startedAt: Date) throws -> (epoch: String, firstSequence: Int64) {
        let started = try writing { db in
            let next = try Int64.fetchOne(db, sql: "SELECT next_sequence FROM chain WHERE id = 1") ?? 1
            let epoch = try String.fetchOne(db, sql: "SELECT lower(hex(randomblob(16)))") ?? UUID().uuidString
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'epoch'", arguments: [epoch])
            try db.execute(sql: "INSERT INTO epochs (epoch, first_sequence, started_at) VALUES (?, ?, ?)",
                           arguments: [epoch, next, startedAt.timeIntervalSince1970])
            return (epoch: epoch, firstSequence: next)
        }
        // Only once committed: a refused commit leaves the old epoch in force, in memory too.
        currentEpoch.withLock { $0 = started.epoch }
        return started
    }

    /// The last event recorded under an epoch (nil when it has none). The uplink asks at every
    /// acknowledgement. Events have no index on their epoch (it made every custody commit write
    /// one more page, see `v15-no-event-epoch-index`): an epoch's events lie from its
    /// `first_sequence` to before the next epoch's (every event after a new epoch started carries
    /// it), and are read backwards from there, so the epoch in force is found at its first row.
    /// An epoch that shares its `first_sequence` with the next one has no events; its range is
    /// then left open above, which reads more rows but answers the same.
    public func lastSequence(ofEpoch epoch: String) throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT sequence FROM events
                WHERE epoch = ?1
                  AND sequence >= (SELECT first_sequence FROM epochs WHERE epoch = ?1)
                  AND sequence < COALESCE(
                      (SELECT MIN(first_sequence) FROM epochs
                       WHERE first_sequence > (SELECT first_sequence FROM epochs WHERE epoch = ?1)),
                      9223372036854775807)
                ORDER BY sequence DESC LIMIT 1
                """, arguments: [epoch])
        }
    }

    /// Where an epoch's events start (nil for an epoch this database never had).
    public func firstSequence(ofEpoch epoch: String) throws -> Int64? {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT first_sequence FROM epochs WHERE epoch = ?", arguments: [epoch]) }
    }

    // MARK: - Uplink progress

    /// Where the server asked to be sent events again (`resend_events`), until the uplink took it up.
    public func uplinkResendFrom() throws -> Int64? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_resend_from'")
        }
    }

    /// The uplink took up the server's request to resend: its cursor is below it now. A power
    /// failure before this leaves the request in place, and the events are sent again once more
    /// (the server drops what it already has).
    public func clearUplinkResendFrom() throws {
        try writing { db in try db.execute(sql: "DELETE FROM meta WHERE key = 'uplink_resend_from'") }
    }

    /// Every event up to this sequence is stored by the central server.
    public func uplinkAcknowledgedSequence() throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence'") ?? 0
        }
    }

    /// Records the server's acknowledgement; it only ever moves forward (a late or duplicated
    /// answer never takes it back) and never past the last event.
    ///
    /// Committed without its own fsync (`synchronous = NORMAL` for this one transaction): while
    /// the uplink drains a backlog it acknowledges dozens of batches a second, and each synced
    /// commit held the writer (and the disk) for a millisecond or more that a pickup's commit,
    /// arriving then, waited behind. The WAL keeps commits in order, so the next synced commit
    /// (any custody commit, a checkpoint) makes this one durable too.
    /// Power failure: before this commit reaches the disk, the events are sent again and the
    /// server drops them as duplicates (the contract asks it to); after it, they are not sent
    /// again. A later synced commit that relies on it (compaction reads the acknowledged
    /// sequence) carries it to the disk with itself.
    /// - Parameter acknowledgedAt: when the answer came; kept with the events it newly covers
    ///   (in the same commit) for the reports' uplink delay.
    @discardableResult
    public func recordUplinkAcknowledgement(upTo sequence: Int64, at acknowledgedAt: Date? = nil) throws -> Int64 {
        try writingWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            defer { Self.restoreFullSync(db) }
            var acknowledged: Int64 = 0
            try db.inTransaction(.immediate) {
                acknowledged = try Self.recordAcknowledgement(upTo: sequence, at: acknowledgedAt, db)
                return .commit
            }
            return acknowledged
        }
    }

    /// Puts the writer back to `synchronous = FULL` and reads it back. A writer left at NORMAL
    /// would acknowledge custody it could lose, so if that fails lockerd stops here (systemd
    /// starts it again, and opening the store sets FULL on every connection).
    static func restoreFullSync(_ db: Database) {
        let restored = (try? db.execute(sql: "PRAGMA synchronous = FULL")).flatMap { _ in
            try? Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        guard restored == 2 else {
            fatalError("the store's writer could not be set back to synchronous = FULL (found \(restored.map(String.init) ?? "an error")): stopping rather than commit custody unsynced")
        }
    }

    private static func recordAcknowledgement(upTo sequence: Int64, at acknowledgedAt: Date?, _ db: Database) throws -> Int64 {
        let current = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence'") ?? 0
        let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
        let acknowledged = min(max(current, sequence), last)
        if acknowledged != current {
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'uplink_acked_sequence'", arguments: [String(acknowledged)])
            if let acknowledgedAt, acknowledged > current {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO uplink_acknowledgements (through_sequence, first_sequence, acknowledged_at)
                    VALUES (?, ?, ?)
                    """, arguments: [acknowledged, current + 1, acknowledgedAt.timeIntervalSince1970])
            }
        }
        return acknowledged
    }

    /// The next events to upload: after `sequence`, all of one epoch, at most `limit` of them.
    public func eventsForUpload(after sequence: Int64, limit: Int) throws -> [RecordedEvent] {
        let page = try events(after: sequence, limit: limit)
        guard let epoch = page.first?.epoch else { return [] }
        return Array(page.prefix { $0.epoch == epoch })
    }

    /// How many events the server has not acknowledged yet, and when the oldest of them happened.
    public func uplinkBacklog() throws -> (count: Int64, oldest: Date?) {
        try pool.read { db in
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence'") ?? 0
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
            let oldest = try Double.fetchOne(db, sql: "SELECT occurred_at FROM events WHERE sequence = ?", arguments: [acknowledged + 1])
            return (max(0, last - acknowledged), oldest.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// Bytes the database uses (pages in use, WAL not counted) and bytes free on its volume.
    public func storageUse() throws -> (databaseBytes: Int64, volumeFreeBytes: Int64?) {
        let used = try pool.read { db -> Int64 in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
            return (pages - free) * size
        }
        let directory = (path as NSString).deletingLastPathComponent
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: directory.isEmpty ? "." : directory)
        return (used, (attributes?[.systemFreeSize] as? NSNumber)?.int64Value)
    }

    /// The latest wall-clock time this cabinet has ever recorded.
    public func timeHighWater() throws -> Date {
        try pool.read { db in
            Date(timeIntervalSince1970: try Double.fetchOne(db, sql: "SELECT time_high_water FROM chain WHERE id = 1") ?? 0)
        }
    }

    /// The courier list the central server sent: (id, name, carrier, PIN hash).
    public func serverCouriers() throws -> [(id: String, name: String, carrier: String, pinHash: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM server_couriers ORDER BY id").map {
                (id: $0["id"], name: $0["name"], carrier: $0["carrier"], pinHash: $0["pin_hash"])
            }
        }
    }

    /// Whether a single-use credential (a pickup QR code) was already used here.
    public func isCredentialUsed(_ id: String) throws -> Bool {
        try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM used_credentials WHERE id = ?)", arguments: [id]) ?? false
        }
    }

    /// The server's configuration changes, a JSON object (nil: none).
    public func configurationOverrides() throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT json FROM configuration_overrides WHERE id = 1") }
    }

    /// Pre-advice received from the server and not yet used by a deposit.
    public func preAdvice() throws -> [ParcelIntake] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT intake FROM pre_advice ORDER BY received_at").compactMap {
                try? JSONDecoder().decode(ParcelIntake.self, from: Data($0.utf8))
            }
        }
    }

    /// The newest event, its hash and its epoch (sequence 0, the genesis hash and no epoch when
    /// there is none). The epoch lets the server tell a restored backup from a cut record.
    public func chainHead() throws -> (sequence: Int64, hash: String, epoch: String?) {
        try pool.read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0
            let hash = try String.fetchOne(db, sql: "SELECT head FROM chain WHERE id = 1") ?? EventHashChain.genesis
            let epoch = try String.fetchOne(db, sql: "SELECT epoch FROM events WHERE sequence = ?", arguments: [last])
            return (last, hash, epoch)
        }
    }

    // MARK: - Layout

    /// Makes the stored compartments match the configured layout. New compartments are added;
    /// printed labels, sizes and classes may be corrected; a compartment that holds live parcels or
    /// a pending operation can never be removed from the configuration (its custody would vanish).
    public func installLayout(_ layout: [Compartment]) throws {
        try writing { db in
            let storedCount = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM compartments") ?? 0
            if storedCount > layout.count {
                let busy = try Int.fetchAll(db, sql: """
                    SELECT id FROM compartments WHERE id >= ? AND (state IN ('reserved','occupied','overdue')
                      OR pending_operation IS NOT NULL
                      OR EXISTS (SELECT 1 FROM parcels p WHERE p.compartment_id = compartments.id AND p.status IN ('in_custody','overdue')))
                    """, arguments: [layout.count])
                if !busy.isEmpty {
                    throw StoreError.layoutConflict(
                        "compartments \(busy.map(String.init).joined(separator: ", ")) hold parcels but are missing from the configuration")
                }
                // Removed doors keep their history but give up their printed label, which a kept
                // door may now carry.
                try db.execute(sql: """
                    UPDATE compartments SET state = 'disabled', quarantine_reason = 'removed from configuration',
                        label = '~' || id
                    WHERE id >= ?
                    """, arguments: [layout.count])
            }
            // Labels are unique: clear the ones that move before writing the new ones.
            for compartment in layout {
                try db.execute(sql: "UPDATE compartments SET label = '~' || id WHERE id = ? AND label <> ?",
                               arguments: [compartment.id, compartment.label])
            }
            for compartment in layout {
                try db.execute(sql: """
                    INSERT INTO compartments (id, label, size, temperature_class, is_accessible, state)
                    VALUES (?, ?, ?, ?, ?, 'available')
                    ON CONFLICT(id) DO UPDATE SET label = excluded.label, size = excluded.size,
                        temperature_class = excluded.temperature_class, is_accessible = excluded.is_accessible,
                        state = CASE WHEN quarantine_reason = 'removed from configuration' THEN 'available' ELSE state END,
                        quarantine_reason = CASE WHEN quarantine_reason = 'removed from configuration' THEN NULL
                                                 ELSE quarantine_reason END
                    """, arguments: [compartment.id, compartment.label, compartment.size.description,
                                     compartment.temperatureClass.description, compartment.isAccessible])
            }
        }
    }

    // MARK: - Reading

    public struct Snapshot: Sendable {
        public var compartments: [Compartment]
        public var liveParcels: [Parcel]
        public var codeHashes: [Int: String]
        public var pending: [Int: PendingOperation]
        public var attemptGuard: CodeAttemptGuard
        /// PIN throttles by courier id (see `CustodyStateMachine.courierPINEntered`).
        public var courierGuards: [String: CodeAttemptGuard]
        /// The id the next parcel gets: past every parcel this database ever had.
        public var nextParcelID: Int64
    }

    /// Everything the daemon needs to rebuild its in-memory model at start.
    public func snapshot() throws -> Snapshot {
        try pool.read { db in
            var compartments: [Compartment] = []
            var codeHashes: [Int: String] = [:]
            var pending: [Int: PendingOperation] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM compartments ORDER BY id") {
                let compartment = try CustodyTransaction.compartment(from: row)
                compartments.append(compartment)
                if let hash: String = row["code_hash"] { codeHashes[compartment.id] = hash }
                if let json: String = row["pending_operation"] {
                    pending[compartment.id] = try JSONDecoder().decode(PendingOperation.self, from: Data(json.utf8))
                }
            }
            let parcels = try Row.fetchAll(db, sql: "SELECT * FROM parcels WHERE status IN ('in_custody','overdue') ORDER BY id")
                .map(CustodyTransaction.parcel(from:))
            let guardRow = try Row.fetchOne(db, sql: "SELECT * FROM code_attempts WHERE id = 1")
            let lockedUntil: Double? = guardRow?["locked_until"]
            let lastFailureAt: Double? = guardRow?["last_failure_at"]
            let attemptGuard = CodeAttemptGuard(
                consecutiveFailures: guardRow?["consecutive_failures"] ?? 0,
                lockedUntil: lockedUntil.map(Date.init(timeIntervalSince1970:)),
                lastFailureAt: lastFailureAt.map(Date.init(timeIntervalSince1970:))
            )
            var courierGuards: [String: CodeAttemptGuard] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM courier_attempts") {
                let lockedUntil: Double? = row["locked_until"]
                let lastFailureAt: Double? = row["last_failure_at"]
                courierGuards[row["courier_id"]] = CodeAttemptGuard(
                    consecutiveFailures: row["consecutive_failures"],
                    lockedUntil: lockedUntil.map(Date.init(timeIntervalSince1970:)),
                    lastFailureAt: lastFailureAt.map(Date.init(timeIntervalSince1970:)))
            }
            // AUTOINCREMENT's own counter, so an id is never reused even after the newest parcel
            // row was deleted by hand.
            let lastParcelID = max(try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'parcels'") ?? 0,
                                   try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM parcels") ?? 0)
            return Snapshot(compartments: compartments, liveParcels: parcels, codeHashes: codeHashes,
                            pending: pending, attemptGuard: attemptGuard, courierGuards: courierGuards,
                            nextParcelID: lastParcelID + 1)
        }
    }

    public func events(after sequence: Int64 = 0, limit: Int = 1_000) throws -> [RecordedEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?",
                             arguments: [sequence, limit]).map { row in
                RecordedEvent(
                    sequence: row["sequence"], epoch: row["epoch"], kind: row["kind"],
                    occurredAt: Date(timeIntervalSince1970: row["occurred_at"]),
                    monotonicNanoseconds: UInt64(bitPattern: row["monotonic_ns"]),
                    compartmentID: row["compartment_id"], parcelID: row["parcel_id"], payload: row["payload"],
                    previousHash: row["previous_hash"], hash: row["hash"])
            }
        }
    }

    /// What `verifyEventChain` found.
    public enum ChainVerification: Sendable, Equatable {
        case intact(events: Int, head: String)
        /// The first place the record was changed, removed, reordered or cut short.
        case broken(sequence: Int64, reason: String)
    }

    /// Walks the whole event record and recomputes its hash chain: any event modified, removed or
    /// reordered, or a tail cut off (the head kept in the `chain` row no longer matches), is reported.
    /// After compaction the walk starts from the newest checkpoint: the event after its cut must
    /// follow the cut's hash, every event it kept must be here unchanged, and what is left of the
    /// covered part (kept events, or events a stopped run has not removed yet) must still rehash
    /// and link to any neighbour that is still here.
    public func verifyEventChain() throws -> ChainVerification {
        try pool.read { db in try Self.verifyEventChain(db) }
    }

    /// The same walk on any connection (`lockerd report --database` reads a copy read-only).
    static func verifyEventChain(_ db: Database) throws -> ChainVerification {
        let checkpoint: RecordCheckpoint?
        do {
            checkpoint = try latestCheckpoint(db)
        } catch {
            let sequence = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM checkpoints") ?? 0
            return .broken(sequence: sequence, reason: "checkpoint \(sequence) has no readable record.checkpoint event")
        }
        if let checkpoint, let row = try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE sequence = ?", arguments: [checkpoint.sequence]),
           (row["through_sequence"] as Int64) != checkpoint.throughSequence || (row["through_hash"] as String) != checkpoint.throughHash {
            return .broken(sequence: checkpoint.sequence, reason: "checkpoint \(checkpoint.sequence) does not say what its event says")
        }
        let through = checkpoint?.throughSequence ?? 0
        var keptHashes: [Int64: String] = [:]
        for kept in checkpoint?.kept ?? [] { keptHashes[kept.sequence] = kept.hash }
        var previous = EventHashChain.genesis
        var lastSequence: Int64 = 0
        var count = 0
        let rows = try Row.fetchCursor(db, sql: "SELECT * FROM events ORDER BY sequence")
        while let row = try rows.next() {
            let sequence: Int64 = row["sequence"]
            let stored: String = row["previous_hash"]
            if sequence <= through {
                // Covered by the checkpoint: whatever is still here rehashes, links to a
                // neighbour that is still here, and matches what the checkpoint kept.
                let follows = sequence == 1 ? stored == EventHashChain.genesis : (lastSequence != sequence - 1 || stored == previous)
                if !follows {
                    return .broken(sequence: sequence, reason: "event \(sequence) does not follow the event before it")
                }
                let hash = EventHashChain.hash(previous: stored, row: row)
                if hash != (row["hash"] as String) || keptHashes[sequence].map({ $0 != hash }) == true
                    || (sequence == through && hash != checkpoint?.throughHash) {
                    return .broken(sequence: sequence, reason: "event \(sequence) was modified after it was recorded")
                }
                keptHashes[sequence] = nil
                previous = hash
                lastSequence = sequence
                count += 1
                continue
            }
            let expected = max(lastSequence, through) + 1
            if sequence != expected {
                return .broken(sequence: expected, reason: "event \(expected) is missing (next is \(sequence))")
            }
            if sequence == through + 1, let checkpoint { previous = checkpoint.throughHash }
            if stored != previous {
                return .broken(sequence: sequence, reason: sequence == through + 1
                    ? "event \(sequence) does not follow the cut of checkpoint \(checkpoint?.sequence ?? 0)"
                    : "event \(sequence) does not follow the event before it")
            }
            let hash = EventHashChain.hash(previous: previous, row: row)
            if hash != (row["hash"] as String) {
                return .broken(sequence: sequence, reason: "event \(sequence) was modified after it was recorded")
            }
            previous = hash
            lastSequence = sequence
            count += 1
        }
        if let missing = keptHashes.keys.min() {
            return .broken(sequence: missing, reason: "event \(missing), kept by checkpoint \(checkpoint?.sequence ?? 0), is missing")
        }
        let head = try String.fetchOne(db, sql: "SELECT head FROM chain WHERE id = 1") ?? EventHashChain.genesis
        if head != previous {
            let next = max(lastSequence, through) + 1
            return .broken(sequence: next, reason: "events after \(next - 1) were removed (the recorded head does not match)")
        }
        return .intact(events: count, head: head)
    }

    /// `PRAGMA quick_check` now: ["ok"] for a sound file, else what SQLite found.
    public func quickCheck() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
    }

    /// `pool.write`, counted in `writesUnderWay` while it waits for the writer and holds it.
    func writing<T>(_ updates: (Database) throws -> T) throws -> T {
        writesUnderWay.add(1, ordering: .relaxed)
        defer { writesUnderWay.subtract(1, ordering: .relaxed) }
        return try pool.write(updates)
    }

    /// `pool.writeWithoutTransaction`, counted in `writesUnderWay` likewise.
    func writingWithoutTransaction<T>(_ updates: (Database) throws -> T) throws -> T {
        writesUnderWay.add(1, ordering: .relaxed)
        defer { writesUnderWay.subtract(1, ordering: .relaxed) }
        return try pool.writeWithoutTransaction(updates)
    }

    /// Reads, on the writer's connection, the rows a custody commit for `compartmentID` starts
    /// with (the compartment's, the chain's tip, the newest event) and changes nothing: their
    /// pages, and SQLite's code for reaching them, are then in the CPU's caches when the commit
    /// comes (the cabinet rehearses a pickup while its last digit is awaited). Reads only: no
    /// write lock is taken. A failure is ignored: it was a rehearsal.
    public func rehearseCustodyWrite(compartmentID: Int) {
        // Another write under way (an uplink acknowledgement, a cold-chain sample): the rehearsal
        // would wait for it on the cabinet loop, and a key arriving then would wait for both.
        guard writesUnderWay.load(ordering: .relaxed) == 0 else { return }
        try? pool.writeWithoutTransaction { db in
            _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM compartments WHERE id = ?"), arguments: [compartmentID])
            _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT next_sequence, head FROM chain WHERE id = 1"))
            _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT sequence, hash FROM events ORDER BY sequence DESC LIMIT 1"))
        }
    }

    public func lastEventSequence() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM events") ?? 0 }
    }

    public func parcels(compartmentID: Int? = nil) throws -> [Parcel] {
        try pool.read { db in
            if let compartmentID {
                return try Row.fetchAll(db, sql: "SELECT * FROM parcels WHERE compartment_id = ? ORDER BY id",
                                        arguments: [compartmentID]).map(CustodyTransaction.parcel(from:))
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM parcels ORDER BY id").map(CustodyTransaction.parcel(from:))
        }
    }

    // MARK: - Writing

    /// Whether `error` is a failed fsync: after one, the kernel may have dropped the pages it could
    /// not write, and nothing this process believes about the file can be trusted. The only safe
    /// reaction is to stop at once (without closing, which would checkpoint) and start again
    /// from what is on disk; the fault battery shows that carrying on can read a damaged file.
    public static func isFailedSync(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.extendedResultCode == .SQLITE_IOERR_FSYNC
    }

    /// Whether `error` is a write refused because the disk is full (SQLite's SQLITE_FULL, which it
    /// reports for ENOSPC, or the WAL index failing to grow). The transaction was rolled back and
    /// the connection is usable: once space is freed (see `DiskReserve`) the same commit can go.
    public static func isDiskFull(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL || error.extendedResultCode == .SQLITE_IOERR_SHMSIZE
    }

    /// Runs `body` in one durable transaction; see the type's durability contract.
    /// Any error (including a violated schema invariant) rolls back everything `body` did.
    ///
    /// BEGIN and COMMIT are statements prepared once, not GRDB's `write`, whose transaction
    /// wrapper parsed both anew each time: about 45 µs of the pickup's path on this machine.
    /// GRDB sees the transaction begin and end all the same (it watches SQLite's autocommit).
    /// A failed statement or COMMIT (a full disk, a failed sync) is rolled back here and thrown
    /// as it came, unless SQLite already rolled the transaction back by itself.
    @discardableResult
    public func transaction<T: Sendable>(
        at stamp: EventStamp, _ body: @Sendable (CustodyTransaction) throws -> T
    ) throws -> T {
        try writingWithoutTransaction { db in
            // The chain's tip moves in memory only with a commit: any failure forgets it, and the
            // next transaction reads it from the `chain` row again.
            let chain = ChainTipBox(chainTip.withLock { $0 })
            chainTip.withLock { $0 = nil }
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let result = try body(CustodyTransaction(db: db, epoch: epoch, stamp: stamp, chain: chain))
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                chainTip.withLock { $0 = chain.tip }
                return result
            } catch {
                if !db.isInsideTransaction { throw error }
                try? db.execute(sql: "ROLLBACK TRANSACTION")
                throw error
            }
        }
    }
}
