/// The slots that could take another parcel of the same recipient: occupied slots with a known
/// recipient, grouped by recipient key.
///
/// A recipient rarely has more than a few compartments in one station, so each group is a short
/// unsorted list; finding a recipient's slots is one hash lookup rather than a scan of the whole
/// station.
struct SharableSlotIndex: Sendable {
    private var slotsByRecipient: [UInt64: ContiguousArray<Int32>] = [:]

    /// Whether a slot belongs in this index at all.
    static func holds(_ slot: CompartmentSlot) -> Bool {
        slot.availability == .occupied && slot.recipientKey != 0
    }

    /// Indexes every sharable slot of `slots`.
    init(slots: ContiguousArray<CompartmentSlot>) {
        for (position, slot) in slots.enumerated() where Self.holds(slot) {
            slotsByRecipient[slot.recipientKey, default: []].append(Int32(truncatingIfNeeded: position))
        }
    }

    mutating func insert(_ index: Int32, recipientKey: UInt64) {
        slotsByRecipient[recipientKey, default: []].append(index)
    }

    mutating func remove(_ index: Int32, recipientKey: UInt64) {
        guard var group = slotsByRecipient.removeValue(forKey: recipientKey),
              let position = group.firstIndex(of: index)
        else {
            preconditionFailure("slot \(index) is missing from the recipient index")
        }
        group.remove(at: position)
        // Dropping empty groups keeps the table from growing with every recipient ever seen.
        if !group.isEmpty {
            slotsByRecipient[recipientKey] = group
        }
    }

    /// The slots holding parcels of `recipientKey`, in no particular order. Does not allocate.
    func slots(of recipientKey: UInt64) -> ContiguousArray<Int32>? {
        slotsByRecipient[recipientKey]
    }
}
