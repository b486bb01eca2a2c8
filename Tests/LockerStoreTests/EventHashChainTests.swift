import Foundation
import GRDB
import LockerCore
import LockerStore
import Testing

/// The custody record is hash-chained: whoever edits the database file behind the daemon's back
/// (dropping the append-only triggers first) is found out.
@Suite struct EventHashChainTests {
    /// A store with five events, closed so the test can tamper with the file.
    func recordFive(in directory: TemporaryStoreDirectory) throws -> [RecordedEvent] {
        let store = try directory.open()
        try store.installLayout(StoreFixture.layout)
        for index in 0..<5 {
            try store.transaction(at: StoreFixture.stamp(Double(index))) { tx in
                try tx.append(CustodyEvent(.doorForcedOpen, compartmentID: index % 4, payload: ["label": .string("A0\(index)")]))
            }
        }
        return try store.events()
    }

    /// The hash is SHA-256 of the fields' text joined by newlines (the uplink
    /// contract: a server recomputes it from the uploaded event). Known answers computed apart
    /// from this code, one with every field and a non-ASCII payload, one with the optional ids empty.
    @Test func theHashIsSHA256OfTheFieldsJoinedByNewlines() {
        #expect(EventHashChain.hash(
            previous: EventHashChain.genesis, sequence: 7, epoch: "epoch-1", kind: "pickup.door_opened",
            hashedTexts: (occurredAt: "1700000000.5", monotonicNanoseconds: "123456789"), compartmentID: 3, parcelID: 42,
            payload: #"{"code":"é/x"}"#) == "c697207c88ac9c92001bad7fa3b74385db0fb4fe308a620007d6f08287797167")
        #expect(EventHashChain.hash(
            previous: EventHashChain.genesis, sequence: 1, epoch: "e", kind: "daemon.started", occurredAt: 0,
            monotonicNanoseconds: 0, compartmentID: nil, parcelID: nil, payload: "{}")
            == "87266e5d66bdea69765aa7141e3a587792b29afb60c85acab404ce17ebca467a")
    }

    /// Raw SQL on the file, with the append-only triggers dropped: what an attacker could do.
    func tamper(_ directory: TemporaryStoreDirectory, _ sql: String) throws {
        let queue = try DatabaseQueue(path: directory.databasePath)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete")
            try db.execute(sql: sql)
        }
        try queue.close()
    }

    @Test func anUntouchedRecordVerifiesAndEachEventLinksToTheOneBefore() throws {
        try withTemporaryStoreDirectory { directory in
            let events = try recordFive(in: directory)
            #expect(events.first?.previousHash == EventHashChain.genesis)
            for (before, after) in zip(events, events.dropFirst()) { #expect(after.previousHash == before.hash) }
            let verification = try directory.open().verifyEventChain()
            #expect(verification == .intact(events: 5, head: events.last?.hash ?? ""))
        }
    }

    @Test(arguments: [
        ("UPDATE events SET payload = '{\"label\":\"B01\"}' WHERE sequence = 3", Int64(3), "modified"),
        ("UPDATE events SET kind = 'door.closed_after_alarm' WHERE sequence = 2", Int64(2), "modified"),
        ("DELETE FROM events WHERE sequence = 2", Int64(2), "missing"),
        ("DELETE FROM events WHERE sequence = 5", Int64(5), "removed"),
        // Swap events 2 and 4 (contents and hashes travel with their rows).
        ("UPDATE events SET sequence = 99 WHERE sequence = 2; UPDATE events SET sequence = 2 WHERE sequence = 4; UPDATE events SET sequence = 4 WHERE sequence = 99",
         Int64(2), "does not follow"),
    ])
    func tamperingIsFoundWhereItHappened(sql: String, sequence: Int64, reason: String) throws {
        try withTemporaryStoreDirectory { directory in
            _ = try recordFive(in: directory)
            try tamper(directory, sql)
            guard case .broken(let at, let why) = try directory.open().verifyEventChain() else {
                Issue.record("tampering not detected: \(sql)")
                return
            }
            #expect(at == sequence)
            #expect(why.contains(reason), "\(why)")
        }
    }

    @Test func theChainGoesOnAcrossAReopen() throws {
        try withTemporaryStoreDirectory { directory in
            _ = try recordFive(in: directory)
            let store = try directory.open()
            try store.transaction(at: StoreFixture.stamp(10)) { tx in try tx.append(CustodyEvent(.daemonStarted)) }
            #expect(try store.verifyEventChain() == .intact(events: 6, head: try store.events().last?.hash ?? ""))
        }
    }
}
