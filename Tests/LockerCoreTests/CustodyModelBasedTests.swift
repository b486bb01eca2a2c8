import Foundation
import LockerCore
import LockerTestSupport
import Testing

/// Custody decided by `CustodyStateMachine` against a model of the physical cabinet: long random
/// sequences of couriers (depositing, retrieving one door or all overdue doors in a batch),
/// residents, technicians and faults (jammed latches, silent boards, doors
/// forced while their board is silent, a
/// refused commit, power failing at any point, even between a commit and its latch), with the
/// promises of the product checked after every step. A failure prints its seed and the whole
/// sequence that led to it; `LOCKER_CUSTODY_SEEDS` runs more seeds.
@Suite struct CustodyModelBasedTests {
    static let seeds = UInt64(ProcessInfo.processInfo.environment["LOCKER_CUSTODY_SEEDS"] ?? "") ?? 300
    /// One seed alone (to replay a failure).
    static let onlySeed = UInt64(ProcessInfo.processInfo.environment["LOCKER_CUSTODY_SEED"] ?? "")
    static let steps = 400
    static let printedLines = Int(ProcessInfo.processInfo.environment["LOCKER_CUSTODY_PRINTED_LINES"] ?? "") ?? 120

    @Test func custodyHoldsThroughRandomPeopleAndFaults() {
        var failures = 0
        for seed in Self.onlySeed.map({ $0...$0 }) ?? 1...Self.seeds where failures < 3 {
            var world = CustodyWorld(seed: seed)
            for step in 1...Self.steps {
                world.act()
                let broken = world.violations + Self.brokenPromises(world)
                if !broken.isEmpty {
                    failures += 1
                    Issue.record("""
                        seed \(seed), step \(step): \(broken.joined(separator: "; "))
                        sequence (last \(Self.printedLines) lines):
                        \(world.log.suffix(Self.printedLines).joined(separator: "\n"))
                        """)
                    break
                }
            }
        }
        #expect(failures == 0)
    }

    /// Everything that must hold whatever happened, checked against the physical cabinet.
    static func brokenPromises(_ world: CustodyWorld) -> [String] {
        var broken: [String] = []
        let model = world.model
        // Memory is never ahead of (nor behind) the store.
        if !sameCustody(model, world.durable) { broken.append("memory and store disagree") }
        for compartment in model.compartments {
            let id = compartment.id
            let door = world.world.doors[id]
            let live = model.liveParcels[id] ?? []
            let recorded = Set(live.map(\.trackingNumber))
            // Custody is never lost: a parcel behind a door is recorded there, or the door is
            // out of service for a technician, or its deposit is still in progress.
            for tracking in door.items.keys where !recorded.contains(tracking) {
                let depositing: Bool
                switch model.pending[id] {
                case .deposit(let intake, _, _)?, .cancelledDeposit(let intake, _, _)?: depositing = intake.trackingNumber == tracking
                default: depositing = false
                }
                if !depositing && compartment.state != .quarantined {
                    broken.append("\(tracking) is inside \(compartment.label) with no record (state \(compartment.state))")
                }
            }
            // One door, one recipient: never two recipients' parcels behind one door.
            if Set(door.items.values).count > 1 { broken.append("\(compartment.label) holds parcels of \(Set(door.items.values).sorted())") }
            if Set(live.map(\.recipientReference)).count > 1 { broken.append("\(compartment.label) is recorded for two recipients") }
            // Where an item sensor can tell, a door closed with nothing inside holds no parcel on record.
            if door.hasItemSensor, !door.isOpen, door.items.isEmpty, !live.isEmpty, model.pending[id] == nil,
               compartment.state != .quarantined, world.world.answers(id), !model.offline.contains(id) {
                broken.append("\(compartment.label) is empty but records \(recorded.sorted())")
            }
            // The states say what is true.
            switch compartment.state {
            case .available:
                if !live.isEmpty { broken.append("\(compartment.label) is available with parcels") }
                if model.codeHash(ofCompartment: id) != nil { broken.append("\(compartment.label) is available with a code") }
            case .occupied, .overdue:
                if live.isEmpty && model.pending[id] == nil { broken.append("\(compartment.label) is \(compartment.state) and empty") }
            case .reserved:
                switch model.pending[id] {
                case .deposit?, .cancelledDeposit?: break
                default: broken.append("\(compartment.label) is reserved for nothing")
                }
            case .quarantined, .disabled: break
            }
            if case .pickup? = model.pending[id], live.isEmpty { broken.append("\(compartment.label) has a pickup of nothing") }
        }
        let ids = model.allLiveParcels.map(\.id)
        if Set(ids).count != ids.count || (ids.max() ?? 0) >= model.nextParcelID { broken.append("parcel ids repeat") }
        return broken
    }

    static func sameCustody(_ a: CabinetModel, _ b: CabinetModel) -> Bool {
        a.compartments == b.compartments && a.allLiveParcels == b.allLiveParcels && a.pending == b.pending
            && a.attemptGuard == b.attemptGuard && a.nextParcelID == b.nextParcelID
            && a.compartments.allSatisfy { a.codeHash(ofCompartment: $0.id) == b.codeHash(ofCompartment: $0.id) }
    }
}

extension CustodyWorld {
    /// One random step: mostly people, sometimes a fault.
    mutating func act() {
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<18: courierStartsDeposit()
        case 18..<32: courierClosesDoor(placingParcel: Int.random(in: 0..<10, using: &rng) > 0)
        case 32..<34: courierCancels()
        case 34..<36: courierReportsDoorDidNotOpen()
        case 36..<50: residentTypesCode(right: Int.random(in: 0..<4, using: &rng) > 0)
        case 50..<62:
            let taking = Int.random(in: 0..<5, using: &rng) > 0
            if personAtDoor == nil, !batchDoorsOpen.isEmpty { courierClosesBatchDoor(taking: taking) } else { personClosesDoor(taking: taking) }
        case 62..<70: timePasses()
        case 70..<72: courierRetrieves()
        case 72..<74: courierRetrievesAll()
        case 74..<77: doorWatchSeesLatchFailure()
        case 77..<80: technicianQuarantinesOrEnables()
        case 80..<82: latchJams()
        case 82..<85: boardGoesSilent()
        case 85..<88: boardComesBack()
        case 88: thiefActsDuringAnOutage()
        case 89: passerByClosesADoor()
        case 90..<93:
            log.append("the store will refuse the next commit")
            storeWillRefuse = true
        case 93..<95:
            log.append("power will fail after the next commit")
            powerFailsAfterCommit = true
        default: powerFailure()
        }
    }
}
