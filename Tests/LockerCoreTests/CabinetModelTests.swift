import Foundation
@testable import LockerCore
import Testing

private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

private func parcel(
    _ id: Int64, recipient: String, size: CompartmentSize, in compartmentID: Int,
    temperatureClass: TemperatureClass = .ambient
) -> Parcel {
    Parcel(id: id, trackingNumber: "TRK-\(id)", recipientReference: recipient, size: size,
           temperatureClass: temperatureClass, compartmentID: compartmentID, courierID: "4711", depositedAt: t0,
           retentionDeadline: t0.addingTimeInterval(48 * 3600))
}

private func intake(_ recipient: String, _ size: CompartmentSize, _ temperatureClass: TemperatureClass = .ambient)
    -> ParcelIntake
{
    ParcelIntake(trackingNumber: "NEW-1", recipientReference: recipient, size: size, temperatureClass: temperatureClass)
}

/// What makes compartment 0 of a two-compartment cabinet unassignable.
enum CompartmentBlocker: String, CaseIterable, Sendable {
    case pendingDeposit, pendingPickup, pendingRetrieval, boardOffline, reserved, overdue, quarantined, disabled

    func apply(to model: inout CabinetModel) {
        let id = 0
        var compartment = model.compartments[id]
        switch self {
        case .pendingDeposit:
            model.setPending(.deposit(intake("r-1", .m), courierID: "4711", isShared: false), compartmentID: id)
        case .pendingPickup:
            model.setPending(.pickup(parcelIDs: [], codeHash: "h"), compartmentID: id)
        case .pendingRetrieval:
            model.setPending(.retrieval(parcelIDs: [], courierID: "4711"), compartmentID: id)
        case .boardOffline:
            model.setOnline(false, compartmentIDs: [id])
        case .reserved, .overdue, .quarantined, .disabled:
            compartment.state = CompartmentState(rawValue: rawValue)!
            model.replace(compartment)
        }
    }

    func lift(from model: inout CabinetModel) {
        let id = 0
        switch self {
        case .pendingDeposit, .pendingPickup, .pendingRetrieval:
            model.setPending(nil, compartmentID: id)
        case .boardOffline:
            model.setOnline(true, compartmentIDs: [id])
        case .reserved, .overdue, .quarantined, .disabled:
            var compartment = model.compartments[id]
            compartment.state = .available
            model.replace(compartment)
        }
    }
}

@Suite("Cabinet model")
struct CabinetModelTests {
    // MARK: - Unassignable compartments

    @Test(arguments: CompartmentBlocker.allCases)
    func blockedCompartmentIsNotAssignedUntilUnblocked(blocker: CompartmentBlocker) {
        var model = CabinetModel(compartments: [
            Compartment(id: 0, label: "A01", size: .m),
            Compartment(id: 1, label: "A02", size: .l),
        ])
        #expect(model.choose(for: intake("r-1", .m)) == Assignment(slot: 0, isShared: false))

        blocker.apply(to: &model)
        #expect(model.choose(for: intake("r-1", .m)) == Assignment(slot: 1, isShared: false))
        #expect(model.choose(for: intake("r-1", .m), excluding: 1) == nil)

        blocker.lift(from: &model)
        #expect(model.choose(for: intake("r-1", .m)) == Assignment(slot: 0, isShared: false))
    }

    @Test(arguments: [CompartmentBlocker.pendingPickup, .pendingRetrieval, .boardOffline])
    func blockedOccupiedCompartmentIsNotShared(blocker: CompartmentBlocker) {
        var model = CabinetModel(
            compartments: [
                Compartment(id: 0, label: "A01", size: .l, state: .occupied),
                Compartment(id: 1, label: "A02", size: .l),
            ],
            liveParcels: [parcel(1, recipient: "r-1", size: .s, in: 0)])
        #expect(model.choose(for: intake("r-1", .s)) == Assignment(slot: 0, isShared: true))
        blocker.apply(to: &model)
        #expect(model.choose(for: intake("r-1", .s)) == Assignment(slot: 1, isShared: false))
        blocker.lift(from: &model)
        #expect(model.choose(for: intake("r-1", .s)) == Assignment(slot: 0, isShared: true))
    }

    @Test func offlineIsTrackedPerCompartment() {
        var model = CabinetModel(compartments: (0..<4).map { Compartment(id: $0, label: "B0\($0)", size: .s) })
        model.setOnline(false, compartmentIDs: [1, 2])
        #expect(model.offline == [1, 2])
        #expect(model.choose(for: intake("", .s), excluding: 0) == Assignment(slot: 3, isShared: false))
        model.setOnline(true, compartmentIDs: 1...2)
        #expect(model.offline.isEmpty)
        #expect(model.choose(for: intake("", .s), excluding: 0) == Assignment(slot: 1, isShared: false))
    }

    // MARK: - Sharing

    struct SharingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var inside: [(recipient: String, size: CompartmentSize)]
        var intake: ParcelIntake
        var expected: Assignment?
        var testDescription: String { name }
    }

    /// Compartment 0 is an occupied L (8 units) holding `inside`; 1 is an empty M, 2 an empty L.
    @Test(arguments: [
        SharingCase(name: "same recipient, room: shared rather than a free M", inside: [("r-1", .s)],
                    intake: intake("r-1", .s), expected: Assignment(slot: 0, isShared: true)),
        SharingCase(name: "same recipient, exactly full afterwards", inside: [("r-1", .s), ("r-1", .s)],
                    intake: intake("r-1", .m), expected: Assignment(slot: 0, isShared: true)),
        SharingCase(name: "same recipient, no room", inside: [("r-1", .s)],
                    intake: intake("r-1", .l), expected: Assignment(slot: 2, isShared: false)),
        SharingCase(name: "same recipient, full", inside: [("r-1", .m), ("r-1", .m)],
                    intake: intake("r-1", .xs), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "other recipient", inside: [("r-1", .s)],
                    intake: intake("r-2", .s), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "unknown recipient joining a known one", inside: [("r-1", .s)],
                    intake: intake("", .s), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "unknown recipient joining an unknown one", inside: [("", .s)],
                    intake: intake("", .s), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "known recipient joining an unknown one", inside: [("", .s)],
                    intake: intake("r-1", .s), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "compartment already mixed", inside: [("r-1", .s), ("r-2", .s)],
                    intake: intake("r-1", .s), expected: Assignment(slot: 1, isShared: false)),
        SharingCase(name: "same recipient, other temperature class", inside: [("r-1", .s)],
                    intake: intake("r-1", .s, .chilled), expected: nil),
    ])
    func sharing(_ sharing: SharingCase) {
        let parcels = sharing.inside.enumerated().map { parcel(Int64($0.offset + 1), recipient: $0.element.recipient,
                                                               size: $0.element.size, in: 0) }
        let model = CabinetModel(
            compartments: [
                Compartment(id: 0, label: "A01", size: .l, state: .occupied),
                Compartment(id: 1, label: "A02", size: .m),
                Compartment(id: 2, label: "A03", size: .l),
            ],
            liveParcels: parcels)
        #expect(model.choose(for: sharing.intake) == sharing.expected)
    }

    @Test func sharingFollowsTheChangesAppliedAfterCommits() {
        var model = CabinetModel(compartments: [
            Compartment(id: 0, label: "A01", size: .l),
            Compartment(id: 1, label: "A02", size: .l),
        ])
        // A deposit for r-1 lands in compartment 0.
        var first = model.compartments[0]
        first.state = .occupied
        model.replace(first)
        model.setLiveParcels([parcel(1, recipient: "r-1", size: .s, in: 0)], compartmentID: 0)
        #expect(model.liveParcels[0]?.count == 1)
        #expect(model.choose(for: intake("r-1", .s)) == Assignment(slot: 0, isShared: true))
        #expect(model.choose(for: intake("r-2", .s)) == Assignment(slot: 1, isShared: false))

        // A second r-1 parcel joins: 2 + 2 of 8 units leave room for an M (4 units) but not for an L (8).
        model.setLiveParcels([parcel(1, recipient: "r-1", size: .s, in: 0), parcel(2, recipient: "r-1", size: .s, in: 0)],
                             compartmentID: 0)
        #expect(model.choose(for: intake("r-1", .m)) == Assignment(slot: 0, isShared: true))
        #expect(model.choose(for: intake("r-1", .l)) == Assignment(slot: 1, isShared: false))

        // Picked up: the compartment is empty and available, and shares with nobody.
        model.setLiveParcels([], compartmentID: 0)
        first.state = .available
        model.replace(first)
        #expect(model.liveParcels[0] == nil)
        #expect(model.choose(for: intake("r-1", .s)) == Assignment(slot: 0, isShared: false))
    }

    // MARK: - Code hashes

    @Test func setCodeHashMapsBothWaysAndReplacingForgetsTheOld() {
        var model = CabinetModel(
            compartments: [Compartment(id: 0, label: "A01", size: .s), Compartment(id: 1, label: "A02", size: .s)],
            codeHashes: [1: "hash-b"])
        #expect(model.compartmentID(forCodeHash: "hash-b") == 1)
        #expect(model.codeHash(ofCompartment: 1) == "hash-b")
        #expect(model.codeHash(ofCompartment: 0) == nil)

        model.setCodeHash("hash-a", compartmentID: 0)
        #expect(model.compartmentID(forCodeHash: "hash-a") == 0)
        #expect(model.codeHash(ofCompartment: 0) == "hash-a")
        #expect(model.isCodeHashLive("hash-a"))

        model.setCodeHash("hash-c", compartmentID: 0)
        #expect(model.codeHash(ofCompartment: 0) == "hash-c")
        #expect(model.compartmentID(forCodeHash: "hash-c") == 0)
        #expect(model.compartmentID(forCodeHash: "hash-a") == nil, "the replaced code no longer opens anything")
        #expect(!model.isCodeHashLive("hash-a"))

        model.setCodeHash(nil, compartmentID: 0)
        #expect(model.codeHash(ofCompartment: 0) == nil)
        #expect(!model.isCodeHashLive("hash-c"))
        // The other compartment's code is untouched throughout.
        #expect(model.compartmentID(forCodeHash: "hash-b") == 1)
        #expect(model.isCodeHashLive("hash-b"))
    }

    // MARK: - Choosing

    @Test(arguments: [
        (Int?.none, Assignment?.some(Assignment(slot: 0, isShared: false))),
        (0, Assignment(slot: 1, isShared: false)),
        (1, Assignment(slot: 0, isShared: false)),
        (2, Assignment(slot: 0, isShared: false)),
    ])
    func chooseRespectsExcluding(excluding: Int?, expected: Assignment?) {
        let model = CabinetModel(compartments: [
            Compartment(id: 0, label: "A01", size: .m),
            Compartment(id: 1, label: "A02", size: .m),
            Compartment(id: 2, label: "A03", size: .l),
        ])
        #expect(model.choose(for: intake("r-1", .m), excluding: excluding) == expected)
    }

    @Test func excludingTheSharedCompartmentFallsBackToAnEmptyOne() {
        let model = CabinetModel(
            compartments: [
                Compartment(id: 0, label: "A01", size: .l, state: .occupied),
                Compartment(id: 1, label: "A02", size: .l),
            ],
            liveParcels: [parcel(1, recipient: "r-1", size: .s, in: 0)])
        #expect(model.choose(for: intake("r-1", .s), excluding: 0) == Assignment(slot: 1, isShared: false))
    }

    /// Compartments XS, S, M, L (ids 0...3); an S parcel.
    @Test(arguments: [
        (CompartmentSize?.none, Int32?.some(1)),
        (.xs, 1),  // never below the parcel's own size
        (.s, 1),
        (.m, 2),
        (.l, 3),
        (.xl, nil),
    ])
    func chooseRespectsMinimumSize(minimumSize: CompartmentSize?, slot: Int32?) {
        let model = CabinetModel(compartments: [
            Compartment(id: 0, label: "A01", size: .xs),
            Compartment(id: 1, label: "A02", size: .s),
            Compartment(id: 2, label: "A03", size: .m),
            Compartment(id: 3, label: "A04", size: .l),
        ])
        #expect(model.choose(for: intake("r-1", .s), minimumSize: minimumSize)?.slot == slot)
    }

    @Test func aLargerDoorRequestDoesNotShareASmallerCompartment() {
        let model = CabinetModel(
            compartments: [
                Compartment(id: 0, label: "A01", size: .s, state: .occupied),
                Compartment(id: 1, label: "A02", size: .m),
            ],
            liveParcels: [parcel(1, recipient: "r-1", size: .xs, in: 0)])
        #expect(model.choose(for: intake("r-1", .xs)) == Assignment(slot: 0, isShared: true))
        #expect(model.choose(for: intake("r-1", .xs), minimumSize: .m) == Assignment(slot: 1, isShared: false))
    }

    // MARK: - Recipient keys

    @Test(arguments: [
        ("", UInt64(0)),
        ("a", 0xaf63_dc4c_8601_ec8c),  // FNV-1a 64 test vectors
        ("foobar", 0x8594_4171_f739_67e8),
        ("r-1001", 0xa913_283d_cb80_fc66),
    ])
    func recipientKeyIsFNV1a(reference: String, key: UInt64) {
        #expect(CabinetModel.recipientKey(reference) == key)
        #expect(CabinetModel.recipientKey(reference) == CabinetModel.recipientKey(String(reference)))
    }

    @Test func recipientKeyIsZeroOnlyForTheEmptyReference() {
        let references = ["a", "b", "r-1", "r-2", "R-1", " ", "Ünïcode", String(repeating: "x", count: 500)]
            + (0..<500).map { "recipient-\($0)" }
        let keys = references.map(CabinetModel.recipientKey)
        #expect(!keys.contains(0))
        #expect(Set(keys).count == references.count, "distinct references, distinct keys")
        #expect(CabinetModel.recipientKey("") == 0)
    }

    // MARK: - Queries

    @Test func queriesByIDLabelAndParcels() {
        let model = CabinetModel(
            compartments: [
                Compartment(id: 0, label: "A01", size: .s, state: .occupied),
                Compartment(id: 1, label: "A02", size: .m),
                Compartment(id: 2, label: "b07", size: .l, state: .occupied),
            ],
            liveParcels: [
                parcel(3, recipient: "r-3", size: .m, in: 2),
                parcel(1, recipient: "r-1", size: .s, in: 0),
                parcel(2, recipient: "r-1", size: .xs, in: 0),
            ])
        #expect(model.compartment(1)?.label == "A02")
        #expect(model.compartment(3) == nil)
        #expect(model.compartment(-1) == nil)
        #expect(model.compartment(labelled: "B07")?.id == 2)
        #expect(model.compartment(labelled: "a01")?.id == 0)
        #expect(model.compartment(labelled: "C01") == nil)
        #expect(model.allLiveParcels.map(\.id) == [1, 2, 3], "grouped by compartment id")
        #expect(model.liveParcels[1] == nil)
    }
}
