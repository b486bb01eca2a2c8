/// A request for a compartment for one parcel. See `CompartmentAssigner.choose(_:)` for how it is
/// answered.
public struct AssignmentRequest: Sendable, Equatable {
    public var parcelSize: CompartmentSize
    public var temperatureClass: TemperatureClass
    /// The recipient (or courier) needs a door at accessible height.
    public var needsAccessible: Bool
    /// The recipient, or 0 when unknown. An unknown recipient never shares a compartment.
    public var recipientKey: UInt64
    /// The smallest compartment acceptable. Equal to `parcelSize` for a normal drop-off; larger
    /// when the courier found the parcel does not fit and asked for a larger door.
    public var minimumCompartmentSize: CompartmentSize
    /// A slot that must not be chosen, or -1 for none: the door the parcel did not fit in when
    /// asking for a larger one.
    public var excludedSlot: Int32

    /// - Parameter minimumCompartmentSize: nil (the default) means `parcelSize`.
    public init(
        parcelSize: CompartmentSize,
        temperatureClass: TemperatureClass,
        needsAccessible: Bool = false,
        recipientKey: UInt64 = 0,
        minimumCompartmentSize: CompartmentSize? = nil,
        excludedSlot: Int32 = -1
    ) {
        self.parcelSize = parcelSize
        self.temperatureClass = temperatureClass
        self.needsAccessible = needsAccessible
        self.recipientKey = recipientKey
        self.minimumCompartmentSize = minimumCompartmentSize ?? parcelSize
        self.excludedSlot = excludedSlot
    }
}
