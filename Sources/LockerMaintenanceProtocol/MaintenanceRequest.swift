/// One request line. Arguments are flat optional fields; each command documents which it reads
/// (PROTOCOL.md), and a command missing a required one is answered with `bad_request`.
public struct MaintenanceRequest: Sendable, Codable, Equatable {
    /// The protocol version the client speaks. A newer major version than the daemon's is refused.
    public var v: Int
    /// Echoed in the response so a client can match them; any number the client likes.
    public var id: Int?
    public var command: MaintenanceProtocol.Command
    /// A door label ("A07"), for open, quarantine, enable.
    public var door: String?
    /// Door labels, for selftest (none: every empty door).
    public var doors: [String]?
    /// Why, for every command that changes something: it goes into the audit trail.
    public var reason: String?
    /// events / events.follow: only events after this sequence number.
    public var after: Int64?
    /// events: at most this many (default 100, at most 1,000).
    public var limit: Int?
    /// sim: one line of the simulated cabinet's front-panel language ("force A01", "wait 30").
    public var line: String?
    /// temps: a parcel's tracking number, for its whole temperature record instead of the zones.
    public var parcel: String?
    /// report: one local day "YYYY-MM-DD", one month "YYYY-MM", or days `from` ... `to` (both
    /// included); none: the month so far.
    public var day: String?
    public var month: String?
    public var from: String?
    public var to: String?

    public init(
        command: MaintenanceProtocol.Command, id: Int? = nil, door: String? = nil, doors: [String]? = nil,
        reason: String? = nil, after: Int64? = nil, limit: Int? = nil, line: String? = nil, parcel: String? = nil
    ) {
        self.parcel = parcel
        self.v = MaintenanceProtocol.version
        self.id = id
        self.command = command
        self.door = door
        self.doors = doors
        self.reason = reason
        self.after = after
        self.limit = limit
        self.line = line
    }
}
