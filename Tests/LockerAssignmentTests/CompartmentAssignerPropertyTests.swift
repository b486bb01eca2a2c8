import LockerTestSupport
import LockerAssignment
import Testing

/// `CompartmentAssigner` against `ReferenceAssigner` on thousands of random cabinets and
/// requests. Small value ranges (few recipients, few wear values, small cabinets) make ties,
/// sharing and full compartments common rather than rare.
@Suite("CompartmentAssigner matches the reference")
struct CompartmentAssignerPropertyTests {
    @Test func randomCabinetsAndRequests() {
        var random = SplitMix64(seed: 0x10C4_E2D0_2024)
        var outcomes = OutcomeCounts()
        for _ in 0..<3_000 {
            let slots = randomCabinet(count: Int.random(in: 0...40, using: &random), using: &random)
            let assigner = CompartmentAssigner(slots: slots)
            #expect(assigner.slotCount == slots.count)
            for _ in 0..<8 {
                let request = randomRequest(slotCount: slots.count, using: &random)
                let expected = ReferenceAssigner.choose(request, in: slots)
                let actual = assigner.choose(request)
                #expect(actual == expected, "request \(request) in cabinet \(slots)")
                outcomes.count(actual)
            }
        }
        outcomes.expectEveryOutcomeSeen()
    }

    @Test func randomUpdatesKeepTheIndexesConsistent() {
        var random = SplitMix64(seed: 0x5EED_0F_C0FFEE)
        var outcomes = OutcomeCounts()
        for _ in 0..<200 {
            var slots = randomCabinet(count: Int.random(in: 1...60, using: &random), using: &random)
            var assigner = CompartmentAssigner(slots: slots)
            for _ in 0..<60 {
                let index = Int.random(in: 0..<slots.count, using: &random)
                let newValue = Bool.random(using: &random)
                    ? randomSlot(using: &random)
                    : plausibleChange(of: slots[index], using: &random)
                slots[index] = newValue
                assigner.update(slot: Int32(index), to: newValue)
                #expect(assigner.slot(at: Int32(index)) == newValue)

                for _ in 0..<4 {
                    let request = randomRequest(slotCount: slots.count, using: &random)
                    let actual = assigner.choose(request)
                    #expect(actual == ReferenceAssigner.choose(request, in: slots), "request \(request) in cabinet \(slots)")
                    outcomes.count(actual)
                }
            }
            // A fresh assigner on the final table answers the same as the updated one.
            let rebuilt = CompartmentAssigner(slots: slots)
            for _ in 0..<20 {
                let request = randomRequest(slotCount: slots.count, using: &random)
                #expect(assigner.choose(request) == rebuilt.choose(request))
            }
        }
        outcomes.expectEveryOutcomeSeen()
    }

    // MARK: - Generators

    private func randomCabinet(count: Int, using random: inout SplitMix64) -> [CompartmentSlot] {
        (0..<count).map { _ in randomSlot(using: &random) }
    }

    private func randomSlot(using random: inout SplitMix64) -> CompartmentSlot {
        let size = CompartmentSize.allCases.randomElement(using: &random)!
        // Mostly ambient, as in real stations, but every class appears.
        let temperatureClass: TemperatureClass = Int.random(in: 0..<4, using: &random) == 0
            ? TemperatureClass.allCases.randomElement(using: &random)!
            : .ambient
        var slot = CompartmentSlot(
            size: size,
            temperatureClass: temperatureClass,
            isAccessible: Int.random(in: 0..<3, using: &random) == 0,
            latchCycles: UInt32.random(in: 0...3, using: &random)
        )
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<4:
            break
        case 4..<9:
            slot.availability = .occupied
            slot.recipientKey = UInt64.random(in: 0...4, using: &random)
            slot.usedUnits = UInt8.random(in: 0...size.capacityUnits, using: &random)
        default:
            slot.availability = .unavailable
            slot.recipientKey = UInt64.random(in: 0...4, using: &random)
            slot.usedUnits = UInt8.random(in: 0...size.capacityUnits, using: &random)
        }
        return slot
    }

    /// The kind of change the daemon makes: a door opens and closes (wear), a parcel goes in or
    /// out, or the door is blocked or released.
    private func plausibleChange(of slot: CompartmentSlot, using random: inout SplitMix64) -> CompartmentSlot {
        var changed = slot
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            changed.latchCycles += 1
        case 1:
            changed.availability = .occupied
            changed.recipientKey = UInt64.random(in: 1...4, using: &random)
            changed.usedUnits = UInt8.random(in: 1...slot.size.capacityUnits, using: &random)
            changed.latchCycles += 1
        case 2:
            changed.availability = .available
            changed.recipientKey = 0
            changed.usedUnits = 0
            changed.latchCycles += 1
        case 3:
            changed.availability = .unavailable
        default:
            changed.usedUnits = UInt8.random(in: 0...slot.size.capacityUnits, using: &random)
        }
        return changed
    }

    private func randomRequest(slotCount: Int, using random: inout SplitMix64) -> AssignmentRequest {
        let parcelSize = CompartmentSize.allCases.randomElement(using: &random)!
        let temperatureClass: TemperatureClass = Bool.random(using: &random)
            ? .ambient
            : TemperatureClass.allCases.randomElement(using: &random)!
        var request = AssignmentRequest(
            parcelSize: parcelSize,
            temperatureClass: temperatureClass,
            needsAccessible: Int.random(in: 0..<4, using: &random) == 0,
            recipientKey: UInt64.random(in: 0...5, using: &random)
        )
        if Int.random(in: 0..<4, using: &random) == 0 {
            // A larger-door request: any minimum (even one below the parcel) and a current door.
            request.minimumCompartmentSize = CompartmentSize.allCases.randomElement(using: &random)!
            request.excludedSlot = slotCount == 0 ? -1 : Int32.random(in: 0..<Int32(slotCount), using: &random)
        } else if Int.random(in: 0..<10, using: &random) == 0 {
            // An out-of-range exclusion is harmless.
            request.excludedSlot = Int32(slotCount) + 5
        }
        return request
    }
}

/// Counts what kinds of answer a randomized test produced, to show that it exercised all of them.
private struct OutcomeCounts {
    var shared = 0
    var empty = 0
    var none = 0

    mutating func count(_ assignment: Assignment?) {
        switch assignment {
        case .some(let assignment) where assignment.isShared: shared += 1
        case .some: empty += 1
        case .none: none += 1
        }
    }

    func expectEveryOutcomeSeen() {
        #expect(shared > 100)
        #expect(empty > 100)
        #expect(none > 100)
    }
}
