/// One door as a technician needs to see it: what it is, what the store says, what the sensor says.
public struct DoorReport: Sendable, Codable, Equatable {
    public var label: String
    public var size: String
    /// ambient, chilled, frozen, heated.
    public var temperatureClass: String
    public var accessible: Bool
    /// available, reserved, occupied, overdue, quarantined, disabled.
    public var state: String
    public var quarantineReason: String?
    /// The door position last recorded in the store.
    public var recordedOpen: Bool
    /// "open", "closed", or "unknown" while its board is offline.
    public var sensor: String
    /// The item sensor where the board has one.
    public var itemPresent: Bool?
    public var parcels: Int
    /// Age of the oldest parcel behind the door.
    public var oldestParcelSeconds: Int?
    /// A door operation in flight (deposit, pickup, retrieval).
    public var pending: String?
    /// Current alarms: "forced_open", "left_open", "board_offline", "quarantined".
    public var alarms: [String]
    public var board: Int
    public var channel: Int
    public var latchCycles: Int

    public init(
        label: String, size: String, temperatureClass: String, accessible: Bool, state: String,
        quarantineReason: String?, recordedOpen: Bool, sensor: String, itemPresent: Bool?, parcels: Int,
        oldestParcelSeconds: Int?, pending: String?, alarms: [String], board: Int, channel: Int, latchCycles: Int
    ) {
        self.label = label
        self.size = size
        self.temperatureClass = temperatureClass
        self.accessible = accessible
        self.state = state
        self.quarantineReason = quarantineReason
        self.recordedOpen = recordedOpen
        self.sensor = sensor
        self.itemPresent = itemPresent
        self.parcels = parcels
        self.oldestParcelSeconds = oldestParcelSeconds
        self.pending = pending
        self.alarms = alarms
        self.board = board
        self.channel = channel
        self.latchCycles = latchCycles
    }
}
