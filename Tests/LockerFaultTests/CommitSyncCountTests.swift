import Foundation
import GRDB
import LockerCore
@testable import LockerStore
import Testing

extension StoreFaultBattery {
    /// Between a pickup code's last key and its unlock frame lockerd commits one transaction, and
    /// the frame waits for that commit: it must cost exactly one fsync (the WAL's), however long
    /// the WAL has grown. SQLite's automatic checkpoint would add the database file's write and two
    /// more syncs to every commit that crosses its threshold; lockerd checkpoints between door
    /// operations instead. Counted with the fault VFS, which sees every xSync of the store's files.
    @Suite struct CommitSyncCount {
        @Test func everyCustodyCommitSyncsOnceHoweverLongTheWALGrows() throws {
            try withFaultDirectory { directory in
                let path = directory.appendingPathComponent("cabinet.sqlite").path
                try withStore(path: path) { store in
                    try store.installLayout(FaultFixture.layout)
                    var syncsPerCommit: [Int64: Int] = [:]
                    // Deposits and pickups alternating, each a commit of several pages: far more
                    // WAL pages in all than SQLite's default threshold of 1,000.
                    for step in 0..<600 {
                        let compartmentID = step / 2 % FaultFixture.layout.count
                        FaultVFS.resetCounts()
                        try store.transaction(at: FaultFixture.stamp(step)) { tx in
                            if step % 2 == 0 {
                                try Self.deposit(in: compartmentID, step: step, tx)
                            } else {
                                try Self.pickUp(from: compartmentID, tx)
                            }
                        }
                        syncsPerCommit[FaultVFS.counts.syncs, default: 0] += 1
                    }
                    #expect(syncsPerCommit == [1: 600])

                    // lockerd's own checkpoint writes the database file and syncs it; one with
                    // nothing new to copy touches nothing.
                    FaultVFS.resetCounts()
                    let walFrames = try store.checkpoint()
                    #expect(walFrames > 1_000, "the WAL grew past SQLite's default threshold")
                    #expect(FaultVFS.counts.syncs >= 1)
                    FaultVFS.resetCounts()
                    try store.checkpoint()
                    #expect(FaultVFS.counts.syncs == 0)
                    #expect(FaultVFS.counts.writes == 0)
                }
            }
        }

        /// The uplink's acknowledgements commit without a sync of their own (a drain acknowledges
        /// dozens a second, and a pickup's commit waited behind each sync). The writer is back at
        /// FULL afterwards; a power cut loses an acknowledgement only until the next synced commit,
        /// which carries it to the disk (the events are then sent again: the server drops them).
        @Test func anAcknowledgementSyncsNothingAndTheNextCommitCarriesIt() throws {
            try withFaultDirectory { directory in
                let path = directory.appendingPathComponent("cabinet.sqlite").path
                try withStore(path: path) { store in
                    try store.installLayout(FaultFixture.layout)
                    for step in 0..<4 {
                        try store.transaction(at: FaultFixture.stamp(step)) { tx in
                            _ = try tx.append(CustodyEvent(.doorReconciled, compartmentID: step))
                        }
                    }
                    try store.recordUplinkAcknowledgement(upTo: 1, at: FaultFixture.stamp(4).wallClock)
                    try store.transaction(at: FaultFixture.stamp(5)) { tx in _ = try tx.append(CustodyEvent(.daemonStarted)) }

                    FaultVFS.resetCounts()
                    #expect(try store.recordUplinkAcknowledgement(upTo: 3, at: FaultFixture.stamp(6).wallClock) == 3)
                    #expect(FaultVFS.counts.syncs == 0)
                    #expect(FaultVFS.counts.writes > 0)
                    #expect(try writerSynchronous(store) == 2)
                    #expect(try store.uplinkAcknowledgedSequence() == 3)
                    FaultVFS.crash()
                }
                FaultVFS.reset()
                try withStore(path: path) { store in
                    // Lost with the power, back to the last synced one: events 2 and 3 go again.
                    #expect(try store.uplinkAcknowledgedSequence() == 1)
                    #expect(try store.lastEventSequence() == 5)
                    try store.recordUplinkAcknowledgement(upTo: 4, at: FaultFixture.stamp(7).wallClock)
                    FaultVFS.resetCounts()
                    try store.transaction(at: FaultFixture.stamp(8)) { tx in _ = try tx.append(CustodyEvent(.daemonStarted)) }
                    #expect(FaultVFS.counts.syncs == 1)
                    FaultVFS.crash()
                }
                FaultVFS.reset()
                try withStore(path: path) { store throws in
                    #expect(try store.uplinkAcknowledgedSequence() == 4)
                    #expect(try store.lastEventSequence() == 6)
                }
            }
        }

        static func deposit(in compartmentID: Int, step: Int, _ tx: CustodyTransaction) throws {
            var compartment = try tx.compartment(compartmentID)
            let parcel = try tx.insertParcel(
                trackingNumber: "SF\(100_000 + step)", recipientReference: "r-\(step)", size: compartment.size,
                temperatureClass: compartment.temperatureClass, compartmentID: compartmentID, courierID: "4711",
                retentionDeadline: tx.stamp.wallClock.addingTimeInterval(48 * 3600))
            compartment.state = .occupied
            try tx.update(compartment)
            try tx.setCodeHash(String(repeating: "c", count: 56) + String(format: "%08d", step), compartmentID: compartmentID)
            _ = try tx.append(CustodyEvent(.depositCommitted, compartmentID: compartmentID, parcelID: parcel.id,
                                           payload: ["tracking": .string("SF\(100_000 + step)")]))
        }

        static func pickUp(from compartmentID: Int, _ tx: CustodyTransaction) throws {
            let parcelIDs = try tx.liveParcels(compartmentID: compartmentID).map(\.id)
            try tx.setStatus(.pickedUp, parcelIDs: parcelIDs)
            try tx.setCodeHash(nil, compartmentID: compartmentID)
            var compartment = try tx.compartment(compartmentID)
            compartment.state = .available
            try tx.update(compartment)
            _ = try tx.append(CustodyEvent(.pickupCommitted, compartmentID: compartmentID, parcelID: parcelIDs.first,
                                           payload: ["parcels": .ints(parcelIDs)]))
        }
    }
}
