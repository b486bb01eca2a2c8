public import LockerReports

/// One response line: `ok` with exactly one of the report fields, or `error`.
/// Event lines after `events.follow` are responses with only `event` set (and no `id`).
public struct MaintenanceResponse: Sendable, Codable, Equatable {
    public var v: Int = MaintenanceProtocol.version
    public var id: Int?
    public var ok: Bool
    public var error: MaintenanceFailure?

    public var status: CabinetStatusReport?
    public var compartments: [DoorReport]?
    public var parcels: [ParcelReport]?
    public var events: [EventReport]?
    public var event: EventReport?
    public var action: ActionReport?
    public var selftest: [SelftestResult]?
    public var queue: QueueReport?
    public var temperatures: [TemperatureReport]?
    /// temps with a parcel: its whole temperature record.
    public var temperatureRecord: ParcelTemperatureRecord?
    public var diagnostics: DiagnosticsReport?
    public var audit: AuditReport?
    public var lockout: LockoutReport?
    /// Prometheus text exposition format.
    public var metrics: String?
    /// What the simulated cabinet printed while running the line.
    public var output: [String]?
    /// report: reconciliation and figures of the period.
    public var report: CustodyReport?
    /// report: the cabinet's configured language ("en", "zh-Hans"), which a client words the
    /// report's text, CSV and chart in unless told otherwise. Beside the report, not in it: the
    /// report itself stays language-neutral.
    public var reportLanguage: String?

    public init(id: Int?, ok: Bool = true) {
        self.id = id
        self.ok = ok
    }

    public static func failure(_ failure: MaintenanceFailure, id: Int?) -> MaintenanceResponse {
        var response = MaintenanceResponse(id: id, ok: false)
        response.error = failure
        return response
    }
}
