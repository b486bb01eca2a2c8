import Foundation
import LockerCore
import LockerStore

/// Records a backlog of events into a cabinet store, as a cabinet that was offline for weeks holds
/// them: the uplink drain benchmark's store, and (`uplink-drain-benchmark seed`) a stopped
/// lockerd's own database for the pickup benchmark's drain phase, which cannot wait for tens of
/// thousands of real deposits.
enum BacklogSeeder {
    /// `count` events in transactions of 5,000 (one commit per 5,000, so seeding costs seconds, not
    /// an fsync per event), stamped one millisecond apart and ending at `end`: a backlog stamped
    /// in the past, never ahead of the cabinet's clock (lockerd checks offline credentials'
    /// expiry against the latest time ever recorded).
    static func record(_ count: Int, in store: CabinetStore, endingAt end: Date) throws {
        var next = 0
        while next < count {
            let last = min(count, next + 5_000)
            let first = next
            try store.transaction(at: EventStamp(wallClock: end.addingTimeInterval(Double(first - count) / 1_000),
                                                 monotonicNanoseconds: UInt64(first) * 1_000_000)) { tx in
                for index in first..<last {
                    // Compartments 0-15: every event names a door a 16-door cabinet has.
                    try tx.append(CustodyEvent(.doorReconciled, compartmentID: index % 16,
                                               payload: ["n": .int(Int64(index)), "sensor": .string("closed")]))
                }
            }
            next = last
        }
    }
}
