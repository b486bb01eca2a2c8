import Foundation
import LockerCore
import LockerStore
import Testing

/// Every page a custody commit changes is written to the WAL and synced before a pickup's door
/// opens. A pickup's door opening changes its compartment's row and appends one event: the
/// compartments page, the events page and the meta page (sequence, chain head, time high water),
/// nothing more. Counted from the WAL's own frame headers.
struct CommitPageCountTests {
    /// The frames (page numbers) of the last commit in the WAL at `path`.
    static func framesOfLastCommit(walPath: String) throws -> [UInt32] {
        let wal = try Data(contentsOf: URL(fileURLWithPath: walPath))
        func word(_ offset: Int) -> UInt32 { wal[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
        let pageSize = Int(word(8)), salts = (word(16), word(20))
        var offset = 32, current: [UInt32] = [], last: [UInt32] = []
        while offset + 24 + pageSize <= wal.count, (word(offset + 8), word(offset + 12)) == salts {
            current.append(word(offset))
            if word(offset + 4) != 0 { (last, current) = (current, []) }
            offset += 24 + pageSize
        }
        return last
    }

    @Test func aPickupsDoorOpeningWritesThreePages() throws {
        try withFreshStore { store, directory in
            let hash = String(repeating: "ab", count: 32)
            let parcel = try store.transaction(at: StoreFixture.stamp()) { tx in
                let parcel = try tx.deposit("TRACK-1", recipient: "flat 1", in: 1)
                var compartment = try tx.compartment(1)
                compartment.state = .occupied
                try tx.write(CompartmentRecord(compartment: compartment, pending: nil, codeHash: hash))
                try tx.append(CustodyEvent(.depositCommitted, compartmentID: 1, parcelID: parcel.id))
                return parcel
            }
            try store.transaction(at: StoreFixture.stamp(60)) { tx in
                let compartment = try tx.compartment(1)
                try tx.write(CompartmentRecord(compartment: compartment, pending: .pickup(parcelIDs: [parcel.id], codeHash: hash),
                                               codeHash: hash, storedCodeHash: .known(hash)))
                try tx.append(CustodyEvent(.pickupDoorOpened, compartmentID: 1, parcelID: parcel.id))
            }
            let pages = try Self.framesOfLastCommit(walPath: directory.databasePath + "-wal")
            #expect(pages.count == 3, "the door opening wrote \(pages.count) pages: \(pages)")
            #expect(try store.snapshot().codeHashes[1] == hash)
            #expect(try store.snapshot().pending[1] != nil)

            // A code that changes is written, with its index.
            let newHash = String(repeating: "cd", count: 32)
            try store.transaction(at: StoreFixture.stamp(120)) { tx in
                try tx.write(CompartmentRecord(compartment: try tx.compartment(1), pending: nil, codeHash: newHash))
            }
            #expect(try store.snapshot().codeHashes[1] == newHash)
            #expect(try Self.framesOfLastCommit(walPath: directory.databasePath + "-wal").count >= 2)

            // A record whose model thinks the row holds another code is refused, whole.
            for stale in [CompartmentRecord.StoredCodeHash.known(hash), .known(nil)] {
                #expect(throws: StoreError.self) {
                    try store.transaction(at: StoreFixture.stamp(180)) { tx in
                        try tx.write(CompartmentRecord(compartment: try tx.compartment(1), pending: nil, codeHash: nil,
                                                       storedCodeHash: stale))
                    }
                }
            }
            #expect(try store.snapshot().codeHashes[1] == newHash)
            #expect(throws: StoreError.noSuchCompartment(99)) {
                try store.transaction(at: StoreFixture.stamp(190)) { tx in
                    var compartment = try tx.compartment(1)
                    compartment.id = 99
                    try tx.write(CompartmentRecord(compartment: compartment, pending: nil, codeHash: nil, storedCodeHash: .known(nil)))
                }
            }
        }
    }
}
