/// One door of the cabinet group, as the custody core sees it (no hardware address: the daemon
/// maps compartments to boards and channels).
public struct Compartment: Sendable, Equatable, Identifiable {
    /// Stable numeric id, also the row id in the store and the slot index in the assigner.
    public var id: Int
    /// The label printed on the door, e.g. "A07".
    public var label: String
    public var size: CompartmentSize
    public var temperatureClass: TemperatureClass
    /// At accessible height (below about 120 cm).
    public var isAccessible: Bool
    public var state: CompartmentState
    /// How many times the latch was pulsed: assignment spreads wear with it.
    public var latchCycles: Int
    /// The door state last recorded in the store (reconciled with the sensor on start).
    public var isDoorOpen: Bool
    /// Why a technician (or the cabinet) took the compartment out of service.
    public var quarantineReason: String?

    public init(
        id: Int, label: String, size: CompartmentSize, temperatureClass: TemperatureClass = .ambient,
        isAccessible: Bool = false, state: CompartmentState = .available, latchCycles: Int = 0,
        isDoorOpen: Bool = false, quarantineReason: String? = nil
    ) {
        self.id = id
        self.label = label
        self.size = size
        self.temperatureClass = temperatureClass
        self.isAccessible = isAccessible
        self.state = state
        self.latchCycles = latchCycles
        self.isDoorOpen = isDoorOpen
        self.quarantineReason = quarantineReason
    }
}
