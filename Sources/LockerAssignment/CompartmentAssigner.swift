/// Chooses the compartment for a parcel in one station.
///
/// The assigner owns a table of `CompartmentSlot`s, indexed by `Int32`, and two indexes over it
/// that make `choose(_:)` independent of the station's size: the available slots grouped by
/// (temperature class, accessibility, size) and sorted by wear, and the sharable slots grouped
/// by recipient. `update(slot:to:)` keeps both right; it is the only way to change the table.
///
/// It is a value type with no locks: the caller serialises access, typically by keeping it
/// inside the one actor or writer that owns the station's state.
public struct CompartmentAssigner: Sendable {
    private var slots: ContiguousArray<CompartmentSlot>
    private var emptySlots: AvailableSlotBuckets
    private var sharableSlots: SharableSlotIndex

    /// - Parameter slots: the station's compartments; a slot's position is its index.
    public init(slots: [CompartmentSlot]) {
        precondition(slots.count <= Int(Int32.max), "too many compartments for Int32 indexes")
        let table = ContiguousArray(slots)
        self.slots = table
        emptySlots = AvailableSlotBuckets(slots: table)
        sharableSlots = SharableSlotIndex(slots: table)
    }

    public var slotCount: Int {
        slots.count
    }

    public func slot(at index: Int32) -> CompartmentSlot {
        precondition(index >= 0 && Int(index) < slots.count, "slot index \(index) out of range")
        return slots[Int(index)]
    }

    /// Replaces the slot at `index` and moves it between the indexes as needed. May allocate.
    public mutating func update(slot index: Int32, to newValue: CompartmentSlot) {
        precondition(index >= 0 && Int(index) < slots.count, "slot index \(index) out of range")
        let oldValue = slots[Int(index)]
        guard oldValue != newValue else { return }

        // Removal reads the old value from the table to find the slot's place, so it happens
        // before the table changes; insertion reads the new value, so it happens after.
        if AvailableSlotBuckets.holds(oldValue) {
            emptySlots.remove(index, slots: slots)
        }
        if SharableSlotIndex.holds(oldValue) {
            sharableSlots.remove(index, recipientKey: oldValue.recipientKey)
        }
        slots[Int(index)] = newValue
        if AvailableSlotBuckets.holds(newValue) {
            emptySlots.insert(index, slots: slots)
        }
        if SharableSlotIndex.holds(newValue) {
            sharableSlots.insert(index, recipientKey: newValue.recipientKey)
        }
    }

    /// Chooses a compartment for a parcel, or returns nil when none fits. Does not allocate.
    ///
    /// The rules, in order:
    ///
    /// 1. Only slots of exactly the requested temperature class are considered. Unavailable
    ///    slots and `request.excludedSlot` are never chosen.
    /// 2. Sharing first. If the recipient is known (`recipientKey != 0`) and one of its occupied
    ///    compartments has room for the parcel (`usedUnits + parcelSize.capacityUnits <=
    ///    size.capacityUnits`) and is at least `minimumCompartmentSize`, the parcel joins it
    ///    (`isShared == true`): the recipient then opens one door instead of two, and an empty
    ///    compartment stays free. Among several such compartments: the smallest size, then the
    ///    fewest latch cycles, then the lowest index. Accessibility is not considered here: the
    ///    recipient has to open that door for the parcels already inside anyway.
    /// 3. Otherwise an available compartment of the smallest size that is at least
    ///    `max(parcelSize, minimumCompartmentSize)`, so large doors stay free for large parcels.
    /// 4. Accessibility. When `needsAccessible`, accessible compartments are searched first
    ///    (smallest fitting size upward), then the others. When not, the non-accessible ones
    ///    are searched first (all fitting sizes, smallest upward) and accessible ones only
    ///    after that: accessible doors are kept for those who need them, even at the cost of a
    ///    larger door.
    /// 5. Among equal compartments (same class, accessibility and size): the fewest latch
    ///    cycles, then the lowest index. This spreads latch wear and keeps the choice
    ///    deterministic.
    public func choose(_ request: AssignmentRequest) -> Assignment? {
        if let shared = sharedSlot(for: request) {
            return Assignment(slot: shared, isShared: true)
        }
        if let empty = emptySlot(for: request) {
            return Assignment(slot: empty, isShared: false)
        }
        return nil
    }

    /// Rule 2: the best compartment of the same recipient with room for the parcel.
    private func sharedSlot(for request: AssignmentRequest) -> Int32? {
        guard request.recipientKey != 0,
              let candidates = sharableSlots.slots(of: request.recipientKey)
        else { return nil }

        let parcelUnits = Int(request.parcelSize.capacityUnits)
        var best: Int32?
        var bestSlot: CompartmentSlot?
        for index in candidates where index != request.excludedSlot {
            let candidate = slots[Int(index)]
            guard candidate.temperatureClass == request.temperatureClass,
                  candidate.size >= request.minimumCompartmentSize,
                  Int(candidate.usedUnits) + parcelUnits <= Int(candidate.size.capacityUnits)
            else { continue }
            if let current = best, let currentSlot = bestSlot,
               !Self.isBetterShare(candidate, index, than: currentSlot, current) {
                continue
            }
            best = index
            bestSlot = candidate
        }
        return best
    }

    /// Orders sharing candidates: smaller size, then fewer latch cycles, then lower index.
    private static func isBetterShare(
        _ lhs: CompartmentSlot, _ lhsIndex: Int32,
        than rhs: CompartmentSlot, _ rhsIndex: Int32
    ) -> Bool {
        if lhs.size != rhs.size { return lhs.size < rhs.size }
        if lhs.latchCycles != rhs.latchCycles { return lhs.latchCycles < rhs.latchCycles }
        return lhsIndex < rhsIndex
    }

    /// Rules 3 to 5: the best available compartment, preferred accessibility first.
    private func emptySlot(for request: AssignmentRequest) -> Int32? {
        let smallest = max(request.parcelSize, request.minimumCompartmentSize)
        let preferredAccessibility = request.needsAccessible
        return emptySlot(for: request, isAccessible: preferredAccessibility, smallest: smallest)
            ?? emptySlot(for: request, isAccessible: !preferredAccessibility, smallest: smallest)
    }

    /// The best available compartment of one accessibility, smallest fitting size upward.
    private func emptySlot(
        for request: AssignmentRequest,
        isAccessible: Bool,
        smallest: CompartmentSize
    ) -> Int32? {
        // Walks raw values rather than `allCases`, which would build an array on every call.
        var rawSize = smallest.rawValue
        while let size = CompartmentSize(rawValue: rawSize) {
            let bucket = AvailableSlotBuckets.bucket(
                temperatureClass: request.temperatureClass,
                isAccessible: isAccessible,
                size: size
            )
            if let found = emptySlots.leastWorn(inBucket: bucket, excluding: request.excludedSlot) {
                return found
            }
            rawSize += 1
        }
        return nil
    }
}
