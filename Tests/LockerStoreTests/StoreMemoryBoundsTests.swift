import Foundation
import GRDB
import Testing
@testable import LockerStore

/// The store's memory stays bounded as the record grows: every connection's page cache is set
/// (SQLite's default of 2 MB each would fill over months), and the pool opens at most three
/// readers (GRDB's default is five, each with its own cache and schema).
@Suite struct StoreMemoryBoundsTests {
    @Test func pageCachesAndReadersAreBounded() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            #expect(try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -CabinetStore.writerCacheKiB)
            #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -CabinetStore.readerCacheKiB)
            #expect(store.pool.configuration.maximumReaderCount == CabinetStore.maximumReaders)
        }
    }
}
