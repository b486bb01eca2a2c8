import Foundation
import LockerCore
import LockerStore
import Testing

@Suite("Cabinet store: opening the database")
struct CabinetStoreOpeningTests {
    @Test func writesGoThroughAWriteAheadLog() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            #expect(store.path == directory.databasePath)
            try withExtendedLifetime(store) {
                try store.installLayout(StoreFixture.layout)
                try store.transaction(at: StoreFixture.stamp()) { tx in
                    try tx.append(CustodyEvent(.daemonStarted))
                }
                #expect(FileManager.default.fileExists(atPath: directory.databasePath + "-wal"))
                // The database header records WAL mode: file format write and read versions
                // (header bytes 18 and 19) are 2 in WAL mode, 1 with a rollback journal.
                let header = try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)).prefix(100)
                #expect(header.count == 100)
                #expect(header.prefix(16) == Data("SQLite format 3\0".utf8))
                #expect(Array(header[18...19]) == [2, 2])
            }
        }
    }

    @Test func reopeningKeepsTheEpochAndTheData() throws {
        try withTemporaryStoreDirectory { directory in
            let epoch = try {
                let store = try directory.open()
                try store.installLayout(StoreFixture.layout)
                return store.epoch
            }()
            #expect(epoch.count == 32)
            #expect(epoch.allSatisfy { "0123456789abcdef".contains($0) }, "\(epoch)")

            let reopened = try directory.open()
            #expect(reopened.epoch == epoch)
            #expect(try reopened.snapshot().compartments == StoreFixture.layout)
        }
    }

    @Test func aNewDatabaseGetsANewEpoch() throws {
        let epochs = try (0..<3).map { _ in
            try withTemporaryStoreDirectory { directory in try directory.open().epoch }
        }
        #expect(Set(epochs).count == 3)
        #expect(!epochs.contains(""))
    }

    @Test func aNewDatabaseIsEmpty() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            let snapshot = try store.snapshot()
            #expect(snapshot.compartments.isEmpty)
            #expect(snapshot.liveParcels.isEmpty)
            #expect(snapshot.codeHashes.isEmpty)
            #expect(snapshot.pending.isEmpty)
            #expect(snapshot.attemptGuard == CodeAttemptGuard())
            #expect(try store.events().isEmpty)
            #expect(try store.lastEventSequence() == 0)
            #expect(try store.parcels().isEmpty)
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefusedAndLeftAlone() throws {
        try withTemporaryStoreDirectory { directory in
            let junk = Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            try junk.write(to: URL(fileURLWithPath: directory.databasePath))
            #expect(throws: (any Error).self) { try directory.open() }
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)) == junk)
        }
    }
}
