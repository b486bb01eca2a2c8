public import FoundationEssentials

/// `status`: the whole cabinet at a glance.
public struct CabinetStatusReport: Sendable, Codable, Equatable {
    public struct Board: Sendable, Codable, Equatable {
        public var address: Int
        /// The configured kind ("kerong-cu16", "gpio", "simulated", ...).
        public var kind: String
        public var online: Bool
        public var doors: Int

        public init(address: Int, kind: String, online: Bool, doors: Int) {
            self.address = address
            self.kind = kind
            self.online = online
            self.doors = doors
        }
    }

    /// A scanner, keypad or temperature probe, and whether it is working.
    public struct Device: Sendable, Codable, Equatable {
        public var name: String
        public var kind: String
        public var state: String

        public init(name: String, kind: String, state: String) {
            self.name = name
            self.kind = kind
            self.state = state
        }
    }

    public var cabinetName: String
    public var time: Date
    public var storeEpoch: String
    public var lastEventSequence: Int64
    /// True while the keypad refuses codes after too many wrong ones.
    public var keypadLockedUntil: Date?
    public var doors: [DoorReport]
    public var boards: [Board]
    public var scanners: [Device]
    public var probes: [Device]
    public var uplink: QueueReport
    /// Cabinet-wide conditions a technician must act on ("storage_full: ..."); absent from
    /// daemons before they reported any.
    public var alerts: [String]?

    public init(
        cabinetName: String, time: Date, storeEpoch: String, lastEventSequence: Int64, keypadLockedUntil: Date?,
        doors: [DoorReport], boards: [Board], scanners: [Device], probes: [Device], uplink: QueueReport
    ) {
        self.cabinetName = cabinetName
        self.time = time
        self.storeEpoch = storeEpoch
        self.lastEventSequence = lastEventSequence
        self.keypadLockedUntil = keypadLockedUntil
        self.doors = doors
        self.boards = boards
        self.scanners = scanners
        self.probes = probes
        self.uplink = uplink
        self.alerts = nil
    }
}
