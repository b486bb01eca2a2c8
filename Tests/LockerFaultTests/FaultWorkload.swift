import Foundation
import GRDB
import LockerCore
@testable import LockerStore

/// A seeded mix of what lockerd writes: deposits, pickups, door events, a large multi-event
/// transaction, a refused transaction, WAL checkpoints of every mode (so that power is also
/// cut while the database file itself is being written), the server's acknowledgement, and
/// compaction (a record checkpoint, then the removal in small steps). The same seed on the same starting file
/// makes the same writes in the same order, which is what lets a faulted run be compared with a
/// clean one, write for write.
struct FaultWorkload {
    struct Refused: Error {}

    enum Step: String, CaseIterable {
        case deposit, pickup, door, bulk, refused, checkpoint, acknowledge, compact, removeCompacted
    }

    private var random: SeededRandom
    private(set) var stepsRun = 0

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// Runs the next step. Returns what it was; throws what the store threw (`Refused` for the
    /// step that is meant to roll back).
    @discardableResult
    mutating func runStep(on store: CabinetStore) throws -> Step {
        let index = stepsRun
        stepsRun += 1
        let stamp = FaultFixture.stamp(index)
        let snapshot = try store.snapshot()
        let available = snapshot.compartments.filter { $0.state == .available }
        let occupied = snapshot.compartments.filter { $0.state == .occupied }
        let roll = random.next() % 100
        let pick = random.next()
        // A compaction under way goes on soon (so power is cut in the middle of one too).
        let compactable = try store.compactableEventCount()
        let step: Step = switch roll {
        case 0..<40 where compactable > 0: .removeCompacted
        case 0..<28 where !available.isEmpty: .deposit
        case 28..<50 where !occupied.isEmpty: .pickup
        case 50..<66: .door
        case 66..<74: .bulk
        case 74..<79: .refused
        case 79..<86: .checkpoint
        case 86..<93: .acknowledge
        case 93..<100: .compact
        default: .door
        }
        switch step {
        case .deposit:
            let compartment = available[Int(pick % UInt64(available.count))]
            let tracking = "JJD\(100_000 + index)"
            try store.transaction(at: stamp) { tx in
                let parcel = try tx.insertParcel(
                    trackingNumber: tracking, recipientReference: "r-\(index)", size: compartment.size,
                    temperatureClass: compartment.temperatureClass, compartmentID: compartment.id, courierID: "4711",
                    retentionDeadline: stamp.wallClock.addingTimeInterval(48 * 3600))
                var updated = try tx.compartment(compartment.id)
                updated.state = .occupied
                try tx.update(updated)
                try tx.setCodeHash("code-\(index)", compartmentID: compartment.id)
                try tx.append(CustodyEvent(.depositCommitted, compartmentID: compartment.id, parcelID: parcel.id,
                                           payload: ["tracking": .string(tracking)]))
            }
        case .pickup:
            let compartment = occupied[Int(pick % UInt64(occupied.count))]
            let parcelIDs = snapshot.liveParcels.filter { $0.compartmentID == compartment.id }.map(\.id)
            try store.transaction(at: stamp) { tx in
                try tx.setStatus(.pickedUp, parcelIDs: parcelIDs)
                try tx.setCodeHash(nil, compartmentID: compartment.id)
                var updated = try tx.compartment(compartment.id)
                updated.state = .available
                try tx.update(updated)
                try tx.append(CustodyEvent(.pickupCommitted, compartmentID: compartment.id, parcelID: parcelIDs.first,
                                           payload: ["parcels": .ints(parcelIDs)]))
            }
        case .door:
            let id = Int(pick % UInt64(snapshot.compartments.count))
            try store.transaction(at: stamp) { tx in try Self.doorLeftOpen(id, in: tx) }
        case .bulk:
            // Several events with large payloads: a commit of many pages (many WAL frames).
            let ids = (0..<5).map { Int((pick >> (8 * UInt64($0))) % UInt64(snapshot.compartments.count)) }
            try store.transaction(at: stamp) { tx in
                for (n, id) in ids.enumerated() {
                    try Self.doorLeftOpen(id, in: tx, note: String(repeating: "\(n)", count: 1_800))
                }
            }
        case .refused:
            let id = Int(pick % UInt64(snapshot.compartments.count))
            try store.transaction(at: stamp) { tx in
                try Self.doorLeftOpen(id, in: tx, note: String(repeating: "r", count: 5_000))
                throw Refused()
            }
        case .checkpoint:
            let mode: Database.CheckpointMode = [.passive, .full, .restart, .truncate][Int(pick % 4)]
            // CabinetStore does not checkpoint by itself before 1,000 WAL pages; the battery wants
            // the database file written (and power cut while it is) much sooner.
            try store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(mode) }
        case .acknowledge:
            try store.recordUplinkAcknowledgement(upTo: try store.lastEventSequence(), at: stamp.wallClock)
        case .compact:
            // Everything recorded before this step is old enough (retention 0).
            if let plan = try store.planCheckpoint(now: stamp.wallClock, retentionSeconds: 0, minimumEvents: 1) {
                try store.transaction(at: stamp) { tx in _ = try tx.recordCheckpoint(plan) }
            }
        case .removeCompacted:
            try store.removeCompactedEvents(limit: Int(pick % 4) + 1)
        }
        return step
    }

    private static func doorLeftOpen(_ id: Int, in tx: CustodyTransaction, note: String = "") throws {
        var compartment = try tx.compartment(id)
        compartment.latchCycles += 1
        try tx.update(compartment)
        try tx.append(CustodyEvent(.doorLeftOpen, compartmentID: id, payload: note.isEmpty ? [:] : ["note": .string(note)]))
    }
}
