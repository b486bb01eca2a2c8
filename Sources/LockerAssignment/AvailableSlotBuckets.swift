/// The available (empty, usable) slots, grouped by what a request can ask for: one bucket per
/// (temperature class, accessible or not, size).
///
/// Each bucket is kept sorted by (latch cycles, slot index), so the best empty slot of a bucket
/// is its first element, or its second when the first is the excluded slot. That makes finding
/// an empty compartment a walk over at most ten buckets, whatever the size of the station, and
/// it reads the buckets without allocating. Keeping the order costs a binary search and a shift
/// of the bucket on every change, which happens once per door event, far less often than reads.
struct AvailableSlotBuckets: Sendable {
    private static let sizeCount = Int(CompartmentSize.xl.rawValue) + 1
    private static let temperatureClassCount = Int(TemperatureClass.heated.rawValue) + 1
    private static let bucketCount = temperatureClassCount * 2 * sizeCount

    private var buckets: ContiguousArray<ContiguousArray<Int32>>

    /// The position of the bucket for slots of this kind.
    static func bucket(
        temperatureClass: TemperatureClass,
        isAccessible: Bool,
        size: CompartmentSize
    ) -> Int {
        (Int(temperatureClass.rawValue) * 2 + (isAccessible ? 1 : 0)) * sizeCount + Int(size.rawValue)
    }

    private static func bucket(of slot: CompartmentSlot) -> Int {
        bucket(temperatureClass: slot.temperatureClass, isAccessible: slot.isAccessible, size: slot.size)
    }

    /// Whether a slot belongs in these buckets at all.
    static func holds(_ slot: CompartmentSlot) -> Bool {
        slot.availability == .available
    }

    /// Indexes every available slot of `slots`.
    init(slots: ContiguousArray<CompartmentSlot>) {
        buckets = ContiguousArray(repeating: [], count: Self.bucketCount)
        for (position, slot) in slots.enumerated() where Self.holds(slot) {
            buckets[Self.bucket(of: slot)].append(Int32(truncatingIfNeeded: position))
        }
        for bucket in buckets.indices {
            buckets[bucket].sort { Self.isLessWorn($0, than: $1, in: slots) }
        }
    }

    /// Adds slot `index`, which must be available and not yet here, at its place in its bucket.
    /// `slots` must already hold the slot's current value.
    mutating func insert(_ index: Int32, slots: ContiguousArray<CompartmentSlot>) {
        let bucket = Self.bucket(of: slots[Int(index)])
        let position = Self.insertionPoint(of: index, in: buckets[bucket], slots: slots)
        buckets[bucket].insert(index, at: position)
    }

    /// Removes slot `index`. `slots` must still hold the value the slot had when it was inserted,
    /// since that value says which bucket it is in and where.
    mutating func remove(_ index: Int32, slots: ContiguousArray<CompartmentSlot>) {
        let bucket = Self.bucket(of: slots[Int(index)])
        let position = Self.insertionPoint(of: index, in: buckets[bucket], slots: slots)
        precondition(
            position < buckets[bucket].count && buckets[bucket][position] == index,
            "slot \(index) is missing from its bucket"
        )
        buckets[bucket].remove(at: position)
    }

    /// The least worn slot of a bucket other than `excluded`, or nil if there is none.
    /// Does not allocate.
    func leastWorn(inBucket bucket: Int, excluding excluded: Int32) -> Int32? {
        let candidates = buckets[bucket]
        // Sorted, and `excluded` appears at most once, so one of the first two is the answer.
        for candidate in candidates.prefix(2) where candidate != excluded {
            return candidate
        }
        return nil
    }

    /// Orders slots by latch cycles, then by index, so ties are broken deterministically.
    private static func isLessWorn(
        _ lhs: Int32,
        than rhs: Int32,
        in slots: ContiguousArray<CompartmentSlot>
    ) -> Bool {
        let lhsCycles = slots[Int(lhs)].latchCycles
        let rhsCycles = slots[Int(rhs)].latchCycles
        return lhsCycles != rhsCycles ? lhsCycles < rhsCycles : lhs < rhs
    }

    /// The first position in the sorted `bucket` whose slot is not less worn than `index`.
    private static func insertionPoint(
        of index: Int32,
        in bucket: ContiguousArray<Int32>,
        slots: ContiguousArray<CompartmentSlot>
    ) -> Int {
        var low = 0
        var high = bucket.count
        while low < high {
            let middle = low + (high - low) / 2
            if isLessWorn(bucket[middle], than: index, in: slots) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
