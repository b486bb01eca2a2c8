public import Foundation
public import LockerCore

/// A checkpoint of the custody record: events up to `throughSequence` may be removed, except the
/// `kept` ones (the events of parcels still in custody, or still named after the cut). It is
/// recorded as a `record.checkpoint` event of the hash chain, so it is covered by every later
/// hash, signed with the batch that uploads it, and verifiable by the central server, which holds
/// event `throughSequence` and can compare its hash with `throughHash`.
///
/// What the record no longer shows in events, the checkpoint says: what was inside when it was
/// taken (`inside`), and how many deposits, pickups and retrievals the removed part held, added
/// to the previous checkpoint's (`totals`), so reports and `audit verify` keep working across it.
public struct RecordCheckpoint: Sendable, Equatable, Codable {
    /// The checkpoint event's own sequence (0 before it is recorded).
    public var sequence: Int64
    /// The last event the checkpoint covers; the record is whole again from the next one on.
    public var throughSequence: Int64
    /// The hash of event `throughSequence`: the next event's previous hash.
    public var throughHash: String
    /// The latest time of any event the checkpoint covers: reports of periods from here on are
    /// complete; before it, the removed events are only in `totals`.
    public var coversUntil: Double
    /// Events at or before `throughSequence` that stay, with their hashes.
    public var kept: [KeptEvent]
    /// The checkpoint before this one (0: none).
    public var previousCheckpoint: Int64
    /// The parcels inside when the checkpoint was taken.
    public var inside: [InsideParcel]
    /// Custody events from the start of the record through `throughSequence`.
    public var totals: Totals

    public struct KeptEvent: Sendable, Equatable, Codable {
        public var sequence: Int64
        public var hash: String

        public init(sequence: Int64, hash: String) {
            self.sequence = sequence
            self.hash = hash
        }
    }

    public struct InsideParcel: Sendable, Equatable, Codable {
        public var parcelID: Int64
        public var compartmentID: Int
        public var temperatureClass: String

        public init(parcelID: Int64, compartmentID: Int, temperatureClass: String) {
            self.parcelID = parcelID
            self.compartmentID = compartmentID
            self.temperatureClass = temperatureClass
        }
    }

    public struct Totals: Sendable, Equatable, Codable {
        public var deposits: Int64 = 0
        public var pickups: Int64 = 0
        public var retrievals: Int64 = 0
        /// Events removed behind this checkpoint and the ones before it.
        public var eventsRemoved: Int64 = 0

        public init(deposits: Int64 = 0, pickups: Int64 = 0, retrievals: Int64 = 0, eventsRemoved: Int64 = 0) {
            self.deposits = deposits
            self.pickups = pickups
            self.retrievals = retrievals
            self.eventsRemoved = eventsRemoved
        }
    }

    public init(sequence: Int64 = 0, throughSequence: Int64, throughHash: String, coversUntil: Double, kept: [KeptEvent],
                previousCheckpoint: Int64, inside: [InsideParcel], totals: Totals) {
        self.sequence = sequence
        self.throughSequence = throughSequence
        self.throughHash = throughHash
        self.coversUntil = coversUntil
        self.kept = kept
        self.previousCheckpoint = previousCheckpoint
        self.inside = inside
        self.totals = totals
    }

    /// The event that records it. Flat arrays, because event payloads are flat (see `EventValue`):
    /// `kept_sequences[i]` has hash `kept_hashes[i]`; `inside_parcel_ids[i]` is in compartment
    /// `inside_compartment_ids[i]` and of class `inside_classes[i]`.
    public var event: CustodyEvent {
        CustodyEvent(.recordCheckpoint, payload: [
            "through_sequence": .int(throughSequence),
            "through_hash": .string(throughHash),
            "covers_until": .double(coversUntil),
            "kept_sequences": .ints(kept.map(\.sequence)),
            "kept_hashes": .strings(kept.map(\.hash)),
            "previous_checkpoint": .int(previousCheckpoint),
            "inside_parcel_ids": .ints(inside.map(\.parcelID)),
            "inside_compartment_ids": .ints(inside.map { Int64($0.compartmentID) }),
            "inside_classes": .strings(inside.map(\.temperatureClass)),
            "total_deposits": .int(totals.deposits),
            "total_pickups": .int(totals.pickups),
            "total_retrievals": .int(totals.retrievals),
            "total_events_removed": .int(totals.eventsRemoved),
        ])
    }

    /// Reads a checkpoint back from its event's payload; nil when the payload is not one.
    public static func decode(sequence: Int64, payload: String) -> RecordCheckpoint? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        guard let fields = try? decoder.decode(Payload.self, from: Data(payload.utf8)),
              fields.keptSequences.count == fields.keptHashes.count,
              fields.insideParcelIds.count == fields.insideCompartmentIds.count,
              fields.insideParcelIds.count == fields.insideClasses.count
        else { return nil }
        return RecordCheckpoint(
            sequence: sequence, throughSequence: fields.throughSequence, throughHash: fields.throughHash,
            coversUntil: fields.coversUntil,
            kept: zip(fields.keptSequences, fields.keptHashes).map { KeptEvent(sequence: $0, hash: $1) },
            previousCheckpoint: fields.previousCheckpoint,
            inside: fields.insideParcelIds.indices.map {
                InsideParcel(parcelID: fields.insideParcelIds[$0], compartmentID: Int(fields.insideCompartmentIds[$0]),
                             temperatureClass: fields.insideClasses[$0])
            },
            totals: Totals(deposits: fields.totalDeposits, pickups: fields.totalPickups, retrievals: fields.totalRetrievals,
                           eventsRemoved: fields.totalEventsRemoved))
    }

    /// The payload's fields (snake case in the JSON).
    private struct Payload: Decodable {
        var throughSequence: Int64
        var throughHash: String
        var coversUntil: Double
        var keptSequences: [Int64]
        var keptHashes: [String]
        var previousCheckpoint: Int64
        var insideParcelIds: [Int64]
        var insideCompartmentIds: [Int64]
        var insideClasses: [String]
        var totalDeposits: Int64
        var totalPickups: Int64
        var totalRetrievals: Int64
        var totalEventsRemoved: Int64
    }
}
