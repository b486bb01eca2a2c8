/// What the assigner knows about one compartment: just enough to place a parcel.
///
/// The assigner keeps these in a table indexed by `Int32`; the mapping from that index to a
/// physical door is the caller's business.
public struct CompartmentSlot: Sendable, Equatable {
    public var size: CompartmentSize
    public var temperatureClass: TemperatureClass
    /// The door is at a height reachable from a wheelchair.
    public var isAccessible: Bool
    public var availability: SlotAvailability
    /// Capacity units taken by the live parcels inside (see `CompartmentSize.capacityUnits`);
    /// 0 when the compartment is available.
    public var usedUnits: UInt8
    /// The recipient whose parcels are inside, or 0 for none. Only an occupied compartment with a
    /// non-zero key can be shared.
    public var recipientKey: UInt64
    /// How many times the latch has been driven. Used to spread wear across equal doors.
    public var latchCycles: UInt32

    public init(
        size: CompartmentSize,
        temperatureClass: TemperatureClass,
        isAccessible: Bool,
        availability: SlotAvailability = .available,
        usedUnits: UInt8 = 0,
        recipientKey: UInt64 = 0,
        latchCycles: UInt32 = 0
    ) {
        self.size = size
        self.temperatureClass = temperatureClass
        self.isAccessible = isAccessible
        self.availability = availability
        self.usedUnits = usedUnits
        self.recipientKey = recipientKey
        self.latchCycles = latchCycles
    }
}
