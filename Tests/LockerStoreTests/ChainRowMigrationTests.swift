import Foundation
import GRDB
import LockerCore
@testable import LockerStore
import Testing

/// `v17-chain-row` moves the event chain's tip from three `meta` rows into the one `chain` row.
/// A cabinet upgraded in the field carries a record made under `v16`: its tip must arrive whole,
/// the chain must go on from it, and a record missing part of its tip must refuse to open rather
/// than start a new chain (nothing already recorded is lost either way).
@Suite struct ChainRowMigrationTests {
    /// A database as `v16-chain-kept-by-the-schema` left it, with `events` recorded under it (the
    /// v16 triggers moved `meta`), the newest of them earlier than the one before (a clock set back).
    static func recordUnderV16(at path: String, times: [Double]) throws -> (head: String, highWater: Double) {
        let queue = try DatabaseQueue(path: path)
        try CabinetStore.migrator.migrate(queue, upTo: "v16-chain-kept-by-the-schema")
        var previous = EventHashChain.genesis
        try queue.write { db in
            for (index, time) in times.enumerated() {
                let sequence = Int64(index + 1)
                let hash = EventHashChain.hash(previous: previous, sequence: sequence, epoch: "epoch-16", kind: "daemon.started",
                                               occurredAt: time, monotonicNanoseconds: sequence, compartmentID: nil,
                                               parcelID: nil, payload: "{}")
                try db.execute(sql: """
                    INSERT INTO events (sequence, epoch, kind, occurred_at, monotonic_ns, compartment_id, parcel_id, payload,
                                        previous_hash, hash)
                    VALUES (?, 'epoch-16', 'daemon.started', ?, ?, NULL, NULL, '{}', ?, ?)
                    """, arguments: [sequence, time, sequence, previous, hash])
                previous = hash
            }
            #expect(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'chain_head'") == previous)
        }
        try queue.close()
        return (previous, times.max() ?? 0)
    }

    @Test func aRecordMadeUnderV16KeepsItsTipAndItsChainGoesOn() throws {
        try withTemporaryStoreDirectory { directory in
            let recorded = try Self.recordUnderV16(at: directory.databasePath, times: [1_700_000_100, 1_700_000_300, 1_700_000_200])
            let store = try directory.open()
            #expect(try store.chainHead().sequence == 3)
            #expect(try store.chainHead().hash == recorded.head)
            #expect(try store.timeHighWater() == Date(timeIntervalSince1970: recorded.highWater))
            #expect(try store.verifyEventChain() == .intact(events: 3, head: recorded.head))

            let next = try store.transaction(at: StoreFixture.stamp(1)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            #expect(next.sequence == 4 && next.previousHash == recorded.head)
            #expect(try store.verifyEventChain() == .intact(events: 4, head: next.hash))
            try store.pool.read { (db: Database) throws in
                // One record of the tip, not two that could disagree.
                #expect(try String.fetchAll(db, sql: """
                    SELECT key FROM meta WHERE key IN ('next_event_sequence', 'chain_head', 'time_high_water')
                    """).isEmpty)
                let row = try #require(try Row.fetchOne(db, sql: "SELECT next_sequence, head FROM chain WHERE id = 1"))
                #expect(row[0] as Int64 == 5 && row[1] as String == next.hash)
            }
        }
    }

    @Test func aV16RecordMissingItsChainHeadRefusesToOpenAndKeepsEverything() throws {
        try withTemporaryStoreDirectory { directory in
            _ = try Self.recordUnderV16(at: directory.databasePath, times: [1_700_000_100, 1_700_000_200])
            let queue = try DatabaseQueue(path: directory.databasePath)
            try queue.write { db in try db.execute(sql: "DELETE FROM meta WHERE key = 'chain_head'") }
            try queue.close()

            #expect(throws: (any Error).self) { _ = try directory.open() }

            let after = try DatabaseQueue(path: directory.databasePath)
            try after.read { (db: Database) throws in
                #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") == 2)
                #expect(try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'next_event_sequence'") == "3")
                #expect(try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'chain')") == false)
                #expect(try CabinetStore.migrator.appliedIdentifiers(db).contains("v16-chain-kept-by-the-schema"))
                #expect(try !CabinetStore.migrator.appliedIdentifiers(db).contains("v17-chain-row"))
            }
            try after.close()
        }
    }

    /// The row is the tip's only record: deleting it, or an event that does not follow it, is refused.
    @Test func theChainRowCannotBeDeletedNorSkipped() throws {
        try withFreshStore { store, _ in
            let first = try store.transaction(at: StoreFixture.stamp(1)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            try store.pool.write { (db: Database) throws in
                #expect(throws: DatabaseError.self) { try db.execute(sql: "DELETE FROM chain") }
                #expect(throws: DatabaseError.self) {
                    try db.execute(sql: """
                        INSERT INTO events (sequence, epoch, kind, occurred_at, monotonic_ns, payload, previous_hash, hash)
                        VALUES (3, 'e', 'daemon.started', 1, 1, '{}', ?, ?)
                        """, arguments: [first.hash, String(repeating: "1", count: 64)])
                }
                #expect(throws: DatabaseError.self) {
                    try db.execute(sql: """
                        INSERT INTO events (sequence, epoch, kind, occurred_at, monotonic_ns, payload, previous_hash, hash)
                        VALUES (2, 'e', 'daemon.started', 1, 1, '{}', ?, ?)
                        """, arguments: [EventHashChain.genesis, String(repeating: "1", count: 64)])
                }
            }
            #expect(try store.verifyEventChain() == .intact(events: 1, head: first.hash))
        }
    }
}
