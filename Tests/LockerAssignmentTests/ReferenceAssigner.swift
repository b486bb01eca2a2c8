import LockerAssignment

/// A deliberately naive statement of the assignment rules: it looks at every slot on every call
/// and keeps no indexes. The randomized tests check `CompartmentAssigner` against it.
enum ReferenceAssigner {
    static func choose(_ request: AssignmentRequest, in slots: [CompartmentSlot]) -> Assignment? {
        let numbered = slots.enumerated().map { (index: Int32($0.offset), slot: $0.element) }
            .filter { $0.index != request.excludedSlot && $0.slot.temperatureClass == request.temperatureClass }

        // Rule 2: share a compartment already holding this recipient's parcels.
        if request.recipientKey != 0 {
            let sharable = numbered.filter {
                $0.slot.availability == .occupied
                    && $0.slot.recipientKey == request.recipientKey
                    && $0.slot.size >= request.minimumCompartmentSize
                    && Int($0.slot.usedUnits) + Int(request.parcelSize.capacityUnits)
                        <= Int($0.slot.size.capacityUnits)
            }
            if let best = sharable.min(by: { rank($0.slot, $0.index) < rank($1.slot, $1.index) }) {
                return Assignment(slot: best.index, isShared: true)
            }
        }

        // Rules 3 to 5: an empty compartment, preferred accessibility first.
        let smallest = max(request.parcelSize, request.minimumCompartmentSize)
        let accessibilityOrder = request.needsAccessible ? [true, false] : [false, true]
        for isAccessible in accessibilityOrder {
            let empty = numbered.filter {
                $0.slot.availability == .available
                    && $0.slot.isAccessible == isAccessible
                    && $0.slot.size >= smallest
            }
            if let best = empty.min(by: { rank($0.slot, $0.index) < rank($1.slot, $1.index) }) {
                return Assignment(slot: best.index, isShared: false)
            }
        }
        return nil
    }

    /// Smaller size first, then less wear, then lower index.
    private static func rank(_ slot: CompartmentSlot, _ index: Int32) -> (UInt8, UInt32, Int32) {
        (slot.size.rawValue, slot.latchCycles, index)
    }
}
