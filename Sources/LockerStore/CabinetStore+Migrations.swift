import GRDB

extension CabinetStore {
    /// The schema. Shipped migrations are frozen: never edit one, add a new one.
    ///
    /// The schema itself holds the custody invariants, so that no bug above it can break them:
    /// - one live parcel per compartment unless the live parcels share one known recipient (trigger);
    /// - a tracking number is live in at most one compartment (partial unique index);
    /// - live pickup-code hashes are unique (UNIQUE on compartments.code_hash);
    /// - events are append-only, their sequence numbers gap-free and each follows the recorded head
    ///   (triggers against the `chain` row, `v17-chain-row`);
    ///   only events a checkpoint covers and does not keep may be removed (`v14-compaction`).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-custody") { db in
            try db.execute(sql: """
                CREATE TABLE meta (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );

                CREATE TABLE compartments (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id >= 0),
                    label TEXT NOT NULL UNIQUE CHECK (length(label) BETWEEN 1 AND 16),
                    size TEXT NOT NULL CHECK (size IN ('XS','S','M','L','XL')),
                    temperature_class TEXT NOT NULL CHECK (temperature_class IN ('ambient','chilled','frozen','heated')),
                    is_accessible INTEGER NOT NULL CHECK (is_accessible IN (0, 1)),
                    state TEXT NOT NULL CHECK (state IN ('available','reserved','occupied','overdue','quarantined','disabled')),
                    latch_cycles INTEGER NOT NULL DEFAULT 0 CHECK (latch_cycles >= 0),
                    is_door_open INTEGER NOT NULL DEFAULT 0 CHECK (is_door_open IN (0, 1)),
                    quarantine_reason TEXT,
                    pending_operation TEXT CHECK (pending_operation IS NULL OR json_valid(pending_operation)),
                    code_hash TEXT UNIQUE,
                    CHECK (state <> 'reserved' OR pending_operation IS NOT NULL),
                    CHECK (state <> 'available' OR code_hash IS NULL)
                );

                CREATE TABLE parcels (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tracking_number TEXT NOT NULL CHECK (length(tracking_number) BETWEEN 1 AND 64),
                    recipient_reference TEXT NOT NULL,
                    size TEXT NOT NULL CHECK (size IN ('XS','S','M','L','XL')),
                    temperature_class TEXT NOT NULL CHECK (temperature_class IN ('ambient','chilled','frozen','heated')),
                    compartment_id INTEGER NOT NULL REFERENCES compartments(id),
                    courier_id TEXT NOT NULL,
                    deposited_at REAL NOT NULL,
                    retention_deadline REAL NOT NULL CHECK (retention_deadline >= deposited_at),
                    status TEXT NOT NULL CHECK (status IN ('in_custody','overdue','picked_up','retrieved')),
                    ended_at REAL,
                    CHECK ((status IN ('in_custody','overdue')) = (ended_at IS NULL))
                );
                CREATE INDEX parcels_by_compartment ON parcels(compartment_id) WHERE status IN ('in_custody','overdue');
                CREATE UNIQUE INDEX parcels_live_tracking_number ON parcels(tracking_number)
                    WHERE status IN ('in_custody','overdue');

                CREATE TRIGGER parcels_one_recipient_per_compartment_insert
                BEFORE INSERT ON parcels
                WHEN NEW.status IN ('in_custody','overdue') AND EXISTS (
                    SELECT 1 FROM parcels p
                    WHERE p.compartment_id = NEW.compartment_id AND p.status IN ('in_custody','overdue')
                      AND (p.recipient_reference <> NEW.recipient_reference OR NEW.recipient_reference = ''))
                BEGIN
                    SELECT RAISE(ABORT, 'compartment already holds a live parcel of another (or an unknown) recipient');
                END;

                CREATE TRIGGER parcels_one_recipient_per_compartment_update
                BEFORE UPDATE OF compartment_id, status, recipient_reference ON parcels
                WHEN NEW.status IN ('in_custody','overdue') AND EXISTS (
                    SELECT 1 FROM parcels p
                    WHERE p.id <> NEW.id AND p.compartment_id = NEW.compartment_id AND p.status IN ('in_custody','overdue')
                      AND (p.recipient_reference <> NEW.recipient_reference OR NEW.recipient_reference = ''))
                BEGIN
                    SELECT RAISE(ABORT, 'compartment already holds a live parcel of another (or an unknown) recipient');
                END;

                CREATE TABLE events (
                    sequence INTEGER PRIMARY KEY NOT NULL CHECK (sequence >= 1),
                    epoch TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    occurred_at REAL NOT NULL,
                    monotonic_ns INTEGER NOT NULL,
                    compartment_id INTEGER,
                    parcel_id INTEGER,
                    payload TEXT NOT NULL CHECK (json_valid(payload))
                );

                CREATE TRIGGER events_gap_free
                BEFORE INSERT ON events
                WHEN NEW.sequence <> (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_event_sequence')
                BEGIN
                    SELECT RAISE(ABORT, 'event sequence numbers must be gap-free');
                END;

                CREATE TRIGGER events_advance_sequence
                AFTER INSERT ON events
                BEGIN
                    UPDATE meta SET value = CAST(NEW.sequence + 1 AS TEXT) WHERE key = 'next_event_sequence';
                END;

                CREATE TRIGGER events_append_only_update
                BEFORE UPDATE ON events
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only');
                END;

                CREATE TRIGGER events_append_only_delete
                BEFORE DELETE ON events
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only');
                END;

                CREATE TABLE code_attempts (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0),
                    locked_until REAL
                );
                INSERT INTO code_attempts (id, consecutive_failures, locked_until) VALUES (1, 0, NULL);

                INSERT INTO meta (key, value) VALUES ('next_event_sequence', '1');
                """)
            // A new database is a new epoch: a restored backup or a cloned card gets its own, so the
            // server never mistakes its events for another database's.
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16))))")
        }
        migrator.registerMigration("v2-event-hash-chain") { db in
            // Every event carries the hash of the one before it (and its own), so a record that is
            // modified, removed or reordered breaks the chain; the head is kept in `meta` so that a
            // truncated tail is seen too. Events recorded before this migration are chained now,
            // in sequence order (the append-only triggers are lifted for that, and only that).
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN previous_hash TEXT NOT NULL DEFAULT '';
                ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
                DROP TRIGGER events_append_only_update;
                """)
            var previous = EventHashChain.genesis
            for row in try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY sequence") {
                let hash = EventHashChain.hash(previous: previous, row: row)
                try db.execute(sql: "UPDATE events SET previous_hash = ?, hash = ? WHERE sequence = ?",
                               arguments: [previous, hash, row["sequence"] as Int64])
                previous = hash
            }
            try db.execute(sql: """
                CREATE TRIGGER events_append_only_update
                BEFORE UPDATE ON events
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only');
                END;
                INSERT INTO meta (key, value) VALUES ('chain_head', ?);
                """, arguments: [previous])
        }
        migrator.registerMigration("v3-uplink") { db in
            // Each epoch and where it starts: a batch to the server never mixes epochs and says
            // where its epoch began. The acknowledged sequence is the uplink's durable progress.
            try db.execute(sql: """
                CREATE TABLE epochs (
                    epoch TEXT PRIMARY KEY NOT NULL,
                    first_sequence INTEGER NOT NULL CHECK (first_sequence >= 1),
                    started_at REAL NOT NULL
                );
                INSERT INTO epochs (epoch, first_sequence, started_at)
                    SELECT epoch, MIN(sequence), MIN(occurred_at) FROM events GROUP BY epoch;
                INSERT OR IGNORE INTO epochs (epoch, first_sequence, started_at)
                    SELECT value, (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_event_sequence'), 0
                    FROM meta WHERE key = 'epoch';
                INSERT INTO meta (key, value) VALUES ('uplink_acked_sequence', '0');
                CREATE INDEX events_by_epoch ON events (epoch, sequence);
                """)
        }
        migrator.registerMigration("v4-downlink") { db in
            // Commands from the central server, by their id: one row each, written in the same
            // transaction as the command's effect and its result event, so a command delivered
            // twice is carried out once. Pre-advice waits here for its parcel.
            try db.execute(sql: """
                CREATE TABLE downlink_commands (
                    id TEXT PRIMARY KEY NOT NULL,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    executed_at REAL NOT NULL
                );
                CREATE TABLE pre_advice (
                    tracking_number TEXT PRIMARY KEY NOT NULL,
                    intake TEXT NOT NULL,
                    received_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v5-offline-credentials") { db in
            // Pickup credentials are single-use: the id is recorded with the door opening. The
            // latest time ever recorded keeps expired credentials expired when the clock is set back.
            try db.execute(sql: """
                CREATE TABLE used_credentials (
                    id TEXT PRIMARY KEY NOT NULL,
                    used_at REAL NOT NULL
                );
                INSERT INTO meta (key, value) VALUES ('time_high_water', (SELECT COALESCE(MAX(occurred_at), 0) FROM events));
                """)
        }
        migrator.registerMigration("v6-server-couriers") { db in
            // The courier list the central server sends (replacing the previous one as a whole).
            // PINs are kept only as salted hashes.
            try db.execute(sql: """
                CREATE TABLE server_couriers (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    carrier TEXT NOT NULL,
                    pin_hash TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v7-configuration-overrides") { db in
            // Policy changes the central server made, applied over the configuration file at start.
            try db.execute(sql: """
                CREATE TABLE configuration_overrides (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    json TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v8-cold-chain") { db in
            // Each cold zone's temperature as compacted segments (every sample of a segment lies
            // within its min and max; a time no segment covers is a gap in the record), and its
            // excursions. A parcel's record is its zone's rows over its custody, so nothing is
            // stored per parcel and a week of a full cabinet stays small.
            try db.execute(sql: """
                CREATE TABLE temperature_segments (
                    id INTEGER PRIMARY KEY,
                    zone TEXT NOT NULL,
                    start_time REAL NOT NULL,
                    end_time REAL NOT NULL CHECK (end_time >= start_time),
                    min_celsius REAL NOT NULL,
                    max_celsius REAL NOT NULL CHECK (max_celsius >= min_celsius),
                    last_celsius REAL NOT NULL,
                    sample_count INTEGER NOT NULL CHECK (sample_count > 0)
                );
                CREATE INDEX temperature_segments_by_zone_end ON temperature_segments(zone, end_time);
                CREATE TABLE excursions (
                    id INTEGER PRIMARY KEY,
                    zone TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('too_warm', 'too_cold')),
                    start_time REAL NOT NULL,
                    end_time REAL CHECK (end_time IS NULL OR end_time >= start_time),
                    peak_celsius REAL NOT NULL
                );
                CREATE INDEX excursions_by_zone_start ON excursions(zone, start_time);
                """)
        }
        migrator.registerMigration("v9-uplink-halt") { db in
            // At most one row: the upload stopped on a conflict the server reported, until a
            // technician resumes it. Durable so that a restart does not send (and alarm) again.
            try db.execute(sql: """
                CREATE TABLE uplink_halt (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    epoch TEXT NOT NULL,
                    sequence INTEGER,
                    code TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    halted_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v10-database-identity") { db in
            // A random id this database keeps for life, mirrored in a side record beside it
            // (`CabinetStore.identityRecordPath`): a WAL or a file from another database shows
            // up as a different id at open instead of being replayed into custody.
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('identity', lower(hex(randomblob(16))))")
        }
        migrator.registerMigration("v11-wrong-code-quiet-time") { db in
            // Wrong codes are forgotten after a quiet day, not after a right code: the time of the
            // last one must survive a restart like the count does.
            try db.execute(sql: "ALTER TABLE code_attempts ADD COLUMN last_failure_at REAL")
        }
        migrator.registerMigration("v12-reports") { db in
            // Reports count parcels per carrier: the carrier is kept with each parcel as it was at
            // its deposit, so the figures do not change when the courier lists do ('' for parcels
            // deposited before). And the uplink delay needs the time each event was acknowledged:
            // one row per acknowledgement that moved the uplink forward, covering
            // first_sequence...through_sequence (events acknowledged before this have none).
            try db.execute(sql: """
                ALTER TABLE parcels ADD COLUMN carrier TEXT NOT NULL DEFAULT '';
                CREATE TABLE uplink_acknowledgements (
                    through_sequence INTEGER PRIMARY KEY NOT NULL,
                    first_sequence INTEGER NOT NULL CHECK (first_sequence BETWEEN 1 AND through_sequence),
                    acknowledged_at REAL NOT NULL
                );
                """)
        }
        migrator.registerMigration("v13-courier-throttles") { db in
            // Each courier id's PIN throttle, kept like the keypad's count: a restart (or pulling
            // the plug) must not hand a PIN guesser a fresh set of tries. One row per courier id
            // (ids that are no courier share one row), deleted when a right PIN clears it.
            try db.execute(sql: """
                CREATE TABLE courier_attempts (
                    courier_id TEXT PRIMARY KEY,
                    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures >= 0),
                    locked_until REAL,
                    last_failure_at REAL
                );
                """)
        }
        migrator.registerMigration("v14-compaction") { db in
            // Compaction: acknowledged events older than the retention are removed behind a
            // checkpoint (see `CabinetStore+Compaction`). A checkpoint is first an event of the
            // chain (`record.checkpoint`, whose payload names the cut and what is kept), then a row
            // here that the schema reads. Events stay append-only for everything else: DELETE is
            // refused unless a checkpoint covers the event and does not list it as kept (an event
            // of a parcel still in custody, or still referenced after the cut), and a checkpoint
            // only covers events the server acknowledged and only ever moves forward.
            try db.execute(sql: """
                CREATE TABLE checkpoints (
                    sequence INTEGER PRIMARY KEY NOT NULL,
                    through_sequence INTEGER NOT NULL CHECK (through_sequence >= 1 AND through_sequence < sequence),
                    through_hash TEXT NOT NULL CHECK (length(through_hash) = 64),
                    covers_until REAL NOT NULL,
                    created_at REAL NOT NULL
                );
                CREATE TABLE checkpoint_kept (
                    sequence INTEGER PRIMARY KEY NOT NULL,
                    hash TEXT NOT NULL
                );

                CREATE TRIGGER checkpoints_move_forward
                BEFORE INSERT ON checkpoints
                WHEN NEW.through_sequence <= COALESCE((SELECT MAX(through_sequence) FROM checkpoints), 0)
                  OR NEW.through_sequence > (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'uplink_acked_sequence')
                BEGIN
                    SELECT RAISE(ABORT, 'a checkpoint moves forward and covers only acknowledged events');
                END;
                CREATE TRIGGER checkpoints_append_only_update
                BEFORE UPDATE ON checkpoints
                BEGIN
                    SELECT RAISE(ABORT, 'checkpoints are append-only');
                END;
                CREATE TRIGGER checkpoints_append_only_delete
                BEFORE DELETE ON checkpoints
                BEGIN
                    SELECT RAISE(ABORT, 'checkpoints are append-only');
                END;

                DROP TRIGGER events_append_only_delete;
                CREATE TRIGGER events_append_only_delete
                BEFORE DELETE ON events
                WHEN OLD.sequence > COALESCE((SELECT MAX(through_sequence) FROM checkpoints), 0)
                  OR EXISTS (SELECT 1 FROM checkpoint_kept WHERE sequence = OLD.sequence)
                BEGIN
                    SELECT RAISE(ABORT, 'events are append-only (only events a checkpoint covers and does not keep may be compacted)');
                END;
                """)
        }
        migrator.registerMigration("v15-no-event-epoch-index") { db in
            // Every event wrote a page of this index besides its own, on every custody commit, for
            // one query (`lastSequence(ofEpoch:)`), which reads the events backwards by sequence
            // instead. One page fewer to write and sync before a pickup's door opens. Power
            // failure: the migrator drops it and records the migration in one transaction, so the
            // next start finds the index and this migration to run, or neither.
            try db.execute(sql: "DROP INDEX events_by_epoch")
        }
        migrator.registerMigration("v16-chain-kept-by-the-schema") { db in
            // A custody commit read the next sequence and the chain head, then wrote the head and
            // the time high-water mark, each a statement of its own before the door could open.
            // The store now keeps the chain's tip in memory (`CabinetStore.chainTip`), and the
            // schema checks it and moves it: an event must follow the recorded head as well as
            // the recorded sequence, and inserting it advances the sequence, the head and the
            // time high-water mark in one statement inside the INSERT. A stale tip in memory
            // (another writer) is refused by the schema, never written. Power failure: the
            // migrator replaces both triggers and records the migration in one transaction.
            try db.execute(sql: """
                DROP TRIGGER events_gap_free;
                DROP TRIGGER events_advance_sequence;

                CREATE TRIGGER events_follow_the_chain
                BEFORE INSERT ON events
                WHEN NEW.sequence <> (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_event_sequence')
                  OR NEW.previous_hash <> (SELECT value FROM meta WHERE key = 'chain_head')
                BEGIN
                    SELECT RAISE(ABORT, 'event sequence numbers must be gap-free and each event must follow the chain head');
                END;

                CREATE TRIGGER events_advance_the_chain
                AFTER INSERT ON events
                BEGIN
                    UPDATE meta SET value = CASE key
                        WHEN 'next_event_sequence' THEN CAST(NEW.sequence + 1 AS TEXT)
                        WHEN 'chain_head' THEN NEW.hash
                        ELSE MAX(CAST(value AS REAL), NEW.occurred_at) END
                    WHERE key IN ('next_event_sequence', 'chain_head', 'time_high_water');
                END;
                """)
        }
        migrator.registerMigration("v17-chain-row") { db in
            // The chain's tip lived in three `meta` rows of text, keyed by name: every event's
            // INSERT looked two of them up and cast them, then rewrote three rows with casts, all
            // inside the pickup's transaction before its door opens (about a third of the INSERT's
            // time, measured cold). One typed row holds it now: the INSERT checks it and moves it
            // in one lookup each. The tip is not derived from the newest event: the recorded head
            // is what tells an event record cut at its end from a whole one (`verifyEventChain`).
            // A missing `meta` row fails this migration (NOT NULL) rather than inventing a tip.
            // Power failure: the migrator creates the row, removes the `meta` rows, replaces both
            // triggers and records the migration in one transaction, so the next start finds all
            // of it or none of it.
            try db.execute(sql: """
                CREATE TABLE chain (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    next_sequence INTEGER NOT NULL CHECK (next_sequence >= 1),
                    head TEXT NOT NULL CHECK (length(head) = 64),
                    time_high_water REAL NOT NULL
                );
                INSERT INTO chain (id, next_sequence, head, time_high_water) VALUES (
                    1,
                    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_event_sequence'),
                    (SELECT value FROM meta WHERE key = 'chain_head'),
                    (SELECT CAST(value AS REAL) FROM meta WHERE key = 'time_high_water'));
                DELETE FROM meta WHERE key IN ('next_event_sequence', 'chain_head', 'time_high_water');

                CREATE TRIGGER chain_row_kept
                BEFORE DELETE ON chain
                BEGIN
                    SELECT RAISE(ABORT, 'the chain row is the record of the event chain''s tip and is never deleted');
                END;

                DROP TRIGGER events_follow_the_chain;
                DROP TRIGGER events_advance_the_chain;

                CREATE TRIGGER events_follow_the_chain
                BEFORE INSERT ON events
                WHEN NOT EXISTS (SELECT 1 FROM chain WHERE id = 1 AND next_sequence = NEW.sequence AND head = NEW.previous_hash)
                BEGIN
                    SELECT RAISE(ABORT, 'event sequence numbers must be gap-free and each event must follow the chain head');
                END;

                CREATE TRIGGER events_advance_the_chain
                AFTER INSERT ON events
                BEGIN
                    UPDATE chain SET next_sequence = NEW.sequence + 1, head = NEW.hash,
                        time_high_water = MAX(time_high_water, NEW.occurred_at)
                    WHERE id = 1;
                END;
                """)
        }
        return migrator
    }
}
