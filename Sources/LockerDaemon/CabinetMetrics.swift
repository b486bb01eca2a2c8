public import LockerStore
import Metrics
// Only these two: Prometheus has its own Counter and Gauge, and the swift-metrics ones are meant here.
import class Prometheus.PrometheusCollectorRegistry
import struct Prometheus.PrometheusMetricsFactory
import Synchronization

/// The cabinet's metrics, recorded through the swift-metrics API and exposed in the Prometheus text
/// format (for the loopback scrape endpoint and the maintenance socket).
///
/// Every instance has its own registry and hands its factory to each metric explicitly instead of
/// bootstrapping the process-wide `MetricsSystem`: the bootstrap can happen only once per process,
/// and tests run several cabinets side by side.
public final class CabinetMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    // Custody throughput: a cabinet whose deposits stop while pickups go on is usually full or has
    // a courier problem; one whose pickups stop has a keypad or code-delivery problem.
    private let deposits: Counter
    private let pickups: Counter
    // Couriers taking back parcels (returns, overdue collection): shows how much dwell-time policy costs.
    private let retrievals: Counter
    // Wrong pickup codes: a rising rate means guessing at the keypad or a broken code delivery (SMS, app).
    private let wrongCodes: Counter
    // Keypad lockouts after too many wrong codes: each is a customer turned away; a burst is an attack.
    private let keypadLockouts: Counter
    // Door alarms by kind: `forced_open` is a break-in or a failing latch, `left_open` is a customer
    // walking away; both need someone on site.
    private let doorsForcedOpen: Counter
    private let doorsLeftOpen: Counter
    // Latches that did not open when commanded: the first sign of a worn solenoid or a jammed door.
    private let latchFailures: Counter
    // Lock boards dropping off the bus: loose RS-485 wiring, a failing board or a power problem.
    private let boardOfflineEvents: Counter
    // Technician actions (open, quarantine, release...): to compare against the work orders.
    private let maintenanceActions: Counter
    // Peers refused on the maintenance socket before a request was read: someone other than the
    // technician tooling is knocking.
    private let maintenancePeerRejections: Counter

    // Last key of a code to latch command done: what the customer feels as "the door did not open".
    // A shift to the right points at a slow bus, a busy store or a sluggish board.
    private let unlockLatency: Timer
    // The sequence number of the last custody event: if it stops moving while the cabinet is in use,
    // the store is stuck; a jump backwards means the database was replaced.
    private let lastEventSequence: Gauge
    // Events waiting for the uplink and how old the oldest one is: the central server's view of the
    // cabinet is this far behind (a dead modem shows here first).
    private let outboxDepth: Gauge
    private let outboxOldestAge: Gauge
    // Boards not answering right now and doors open right now: the live health of the hardware.
    private let boardsOffline: Gauge
    private let doorsOpen: Gauge

    // Compartments per custody state (available, occupied, quarantined...): a cabinet with no
    // available compartments refuses deposits; quarantined ones wait for a technician.
    private let compartmentsByState = Mutex<[String: Gauge]>([:])
    // Temperature per cell zone: chilled and frozen zones out of range spoil the parcels in them.
    private let cellTemperatures = Mutex<[String: Gauge]>([:])

    /// Prometheus buckets for the unlock latency: from 0.1 ms (a latch on a local GPIO line) to 2 s
    /// (a bus retrying a board that barely answers); longer than that is a failure, not a latency.
    static let unlockLatencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2),
    ]

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["lockerd_unlock_latency_seconds"] = Self.unlockLatencyBuckets
        self.registry = registry
        self.factory = factory

        func counter(_ label: String, _ dimensions: [(String, String)] = []) -> Counter {
            Counter(label: label, dimensions: dimensions, factory: factory)
        }
        func gauge(_ label: String) -> Gauge {
            Gauge(label: label, dimensions: [], factory: factory)
        }
        // Created up front so that a scrape shows every series at zero before anything happened:
        // "no latch failures" is a value, not a missing series.
        deposits = counter("lockerd_deposits_total")
        pickups = counter("lockerd_pickups_total")
        retrievals = counter("lockerd_retrievals_total")
        wrongCodes = counter("lockerd_wrong_codes_total")
        keypadLockouts = counter("lockerd_keypad_lockouts_total")
        doorsForcedOpen = counter("lockerd_door_alarms_total", [("alarm", "forced_open")])
        doorsLeftOpen = counter("lockerd_door_alarms_total", [("alarm", "left_open")])
        latchFailures = counter("lockerd_latch_failures_total")
        boardOfflineEvents = counter("lockerd_board_offline_total")
        maintenanceActions = counter("lockerd_maintenance_actions_total")
        maintenancePeerRejections = counter("lockerd_maintenance_peer_rejections_total")
        unlockLatency = Timer(label: "lockerd_unlock_latency_seconds", dimensions: [], factory: factory)
        lastEventSequence = gauge("lockerd_last_event_sequence")
        outboxDepth = gauge("lockerd_outbox_depth")
        outboxOldestAge = gauge("lockerd_outbox_oldest_age_seconds")
        boardsOffline = gauge("lockerd_boards_offline")
        doorsOpen = gauge("lockerd_doors_open")
    }

    /// Counts a committed custody event by its kind; kinds without a metric only move the sequence gauge.
    public func record(_ event: RecordedEvent) {
        lastEventSequence.record(event.sequence)
        switch event.kind {
        case "deposit.committed": deposits.increment()
        case "pickup.committed": pickups.increment()
        case "retrieval.committed": retrievals.increment()
        case "keypad.locked_out": keypadLockouts.increment()
        case "door.forced_open": doorsForcedOpen.increment()
        case "door.left_open": doorsLeftOpen.increment()
        case "latch.failed": latchFailures.increment()
        case "board.offline": boardOfflineEvents.increment()
        case "maintenance.action": maintenanceActions.increment()
        default: break
        }
    }

    /// A pickup code that matched no parcel.
    public func wrongCode() {
        wrongCodes.increment()
    }

    /// From the last key of a code to the latch command done.
    public func unlockLatency(_ duration: Duration) {
        unlockLatency.record(duration: duration)
    }

    /// The uplink queue: how many events are unsent and how old the oldest is (`nil` when empty,
    /// shown as 0 so that an alert on the age clears once the queue drains).
    public func setOutbox(depth: Int64, oldestAgeSeconds: Double?) {
        outboxDepth.record(depth)
        outboxOldestAge.record(oldestAgeSeconds ?? 0)
    }

    public func setBoardsOffline(_ count: Int) {
        boardsOffline.record(count)
    }

    public func setDoorsOpen(_ count: Int) {
        doorsOpen.record(count)
    }

    /// Compartments per state. A state absent from `byState` is set to 0 rather than left at its
    /// last value: the last quarantined compartment being released must show as 0 quarantined.
    public func setCompartments(byState counts: [String: Int]) {
        compartmentsByState.withLock { gauges in
            for state in counts.keys where gauges[state] == nil {
                gauges[state] = Gauge(label: "lockerd_compartments", dimensions: [("state", state)], factory: factory)
            }
            for (state, gauge) in gauges {
                gauge.record(counts[state] ?? 0)
            }
        }
    }

    public func setCellTemperature(zone: String, celsius: Double) {
        let gauge = cellTemperatures.withLock { gauges in
            if let gauge = gauges[zone] { return gauge }
            let gauge = Gauge(label: "lockerd_cell_temperature_celsius", dimensions: [("zone", zone)], factory: factory)
            gauges[zone] = gauge
            return gauge
        }
        gauge.record(celsius)
    }

    /// One request on the maintenance socket. `command` must be the parsed command's name, never the
    /// raw line: every distinct value is a new series kept for the life of the process.
    public func maintenanceRequest(command: String, outcome: String) {
        // Requests by command and outcome: `forbidden` and `refused` show a technician fighting the
        // cabinet (or someone probing it); the registry returns the existing series for known labels.
        Counter(
            label: "lockerd_maintenance_requests_total",
            dimensions: [("command", command), ("outcome", outcome)],
            factory: factory
        ).increment()
    }

    /// A peer refused on the maintenance socket (wrong user, wrong credentials) before any request.
    public func maintenancePeerRejected() {
        maintenancePeerRejections.increment()
    }

    /// Everything above in the Prometheus text exposition format (version 0.0.4), each metric with
    /// its `# HELP` line before its `# TYPE` line.
    public func exposition() -> String {
        Self.withHelp(registry.emitToString())
    }

    /// What each metric means, for the person reading a scrape or a dashboard's tooltip. The
    /// swift-metrics API has no place for help text, so it is added to the exposition here; a
    /// metric missing from this table fails `CabinetMetricsTests`.
    static let help: [String: String] = [
        "lockerd_deposits_total": "Parcels deposited (custody taken).",
        "lockerd_pickups_total": "Parcels picked up by residents.",
        "lockerd_retrievals_total": "Overdue or returned parcels taken back by couriers.",
        "lockerd_wrong_codes_total": "Wrong pickup codes typed at the keypad.",
        "lockerd_keypad_lockouts_total": "Keypad lockouts after too many wrong codes.",
        "lockerd_door_alarms_total": "Door alarms by kind: forced_open (opened while latched) or left_open.",
        "lockerd_latch_failures_total": "Latches that did not open when commanded.",
        "lockerd_board_offline_total": "Times a lock board stopped answering.",
        "lockerd_maintenance_actions_total": "Technician actions recorded in the audit trail.",
        "lockerd_maintenance_peer_rejections_total": "Peers refused on the maintenance socket before any request.",
        "lockerd_maintenance_requests_total": "Maintenance socket requests by command and outcome.",
        "lockerd_unlock_latency_seconds": "From the last key of a pickup code to the latch command done.",
        "lockerd_last_event_sequence": "Sequence number of the newest custody event.",
        "lockerd_outbox_depth": "Custody events waiting for the central server.",
        "lockerd_outbox_oldest_age_seconds": "Age of the oldest custody event waiting for the central server.",
        "lockerd_boards_offline": "Lock boards not answering now.",
        "lockerd_doors_open": "Doors open now.",
        "lockerd_compartments": "Compartments by custody state.",
        "lockerd_cell_temperature_celsius": "Temperature of each cold-chain zone, in degrees Celsius.",
    ]

    /// `text` with a `# HELP` line before every `# TYPE` line that has none.
    static func withHelp(_ text: String) -> String {
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first,
               lines.last?.hasPrefix("# HELP \(name) ") != true {
                lines.append("# HELP \(name) \(help[String(name)] ?? "lockerd metric \(name).")")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
