import Foundation
import LockerCore
import LockerMaintenanceProtocol
import LockerReports
import LockerStore
import LockerUplink
import Logging
import NIOCore

/// Answers the maintenance socket's requests. Anything that looks at or changes the cabinet runs
/// on the cabinet loop (`CabinetInbox.perform`), between two inputs, like a key press would; store
/// reads that may take a while (events, audit verification) run beside it on a reader connection.
final class MaintenanceService: MaintenanceResponder {
    /// Runs one line of the simulated cabinet's front-panel language and returns what it printed;
    /// nil when the cabinet is not simulated.
    typealias SimulatorConsole = @Sendable (String) async -> [String]

    let inbox: CabinetInbox
    let store: CabinetStore
    let configuration: CabinetConfiguration
    let metrics: CabinetMetrics
    let feed: MaintenanceEventFeed
    let clock: any CabinetClock
    let stateDirectory: URL
    let recentLog: RecentLogLines
    let uplinkStatus: (@Sendable () -> UplinkStatus)?
    let simulator: SimulatorConsole?
    let inputDevices: InputDeviceRegistry
    let temperatures: (@Sendable () -> [TemperatureReport])?
    let logger: Logger
    private let forbiddenRecords = ForbiddenAttemptThrottle(interval: 60)
    private let refusedPeers = RefusedPeerThrottle()

    init(inbox: CabinetInbox, store: CabinetStore, configuration: CabinetConfiguration, metrics: CabinetMetrics,
         clock: any CabinetClock, stateDirectory: URL, recentLog: RecentLogLines, uplinkStatus: (@Sendable () -> UplinkStatus)?,
         simulator: SimulatorConsole?, inputDevices: InputDeviceRegistry = InputDeviceRegistry(),
         temperatures: (@Sendable () -> [TemperatureReport])? = nil, logger: Logger) {
        self.temperatures = temperatures
        self.uplinkStatus = uplinkStatus
        self.inputDevices = inputDevices
        self.inbox = inbox
        self.store = store
        self.configuration = configuration
        self.metrics = metrics
        let labels = configuration.compartments.map(\.label)
        self.feed = MaintenanceEventFeed(store: store, doorLabel: { labels.indices.contains($0) ? labels[$0] : nil }, logger: logger)
        self.clock = clock
        self.stateDirectory = stateDirectory
        self.recentLog = recentLog
        self.simulator = simulator
        self.logger = logger
    }

    static let stopping = MaintenanceFailure(.failed, "lockerd is stopping")

    func respond(to request: MaintenanceRequest, from peer: MaintenancePeer) async -> MaintenanceResponse {
        let response: MaintenanceResponse
        do {
            response = try await answer(request, from: peer)
        } catch let failure as MaintenanceFailure {
            response = .failure(failure, id: request.id)
        } catch {
            response = .failure(MaintenanceFailure(.failed, "\(error)"), id: request.id)
        }
        metrics.maintenanceRequest(command: request.command.rawValue, outcome: response.error?.code.rawValue ?? "ok")
        if let error = response.error, !request.command.isReadOnly {
            logger.notice("maintenance request not carried out", metadata: [
                "maintenance.command": "\(request.command.rawValue)", "maintenance.user": "\(peer.userName)",
                "error": "\(error)",
            ])
        }
        return response
    }

    private func answer(_ request: MaintenanceRequest, from peer: MaintenancePeer) async throws -> MaintenanceResponse {
        var response = MaintenanceResponse(id: request.id)
        switch request.command {
        case .status:
            response.status = try await status()
        case .compartments:
            response.compartments = try await onLoop { CabinetReportProjection($0).doorReports() }
        case .parcels:
            response.parcels = try await onLoop { CabinetReportProjection($0).parcelReports() }
        case .events:
            let (after, limit) = (request.after, request.limit)
            // Documented 1–1000: a limit outside it is a mistake to point out, not to round away.
            if let limit, !(1...1_000).contains(limit) {
                throw MaintenanceFailure(.badRequest, "limit must be 1...1000, is \(limit)")
            }
            if let after, after < 0 { throw MaintenanceFailure(.badRequest, "after must be 0 or more, is \(after)") }
            response.events = try await reading { try self.events(after: after, limit: limit) }
        case .eventsFollow:
            break  // answered by the connection handler, which then calls `follow`
        case .open:
            let door = try required(request.door, "door", for: request, peer: peer)
            let reason = try requiredReason(request, peer: peer)
            response.action = try await onLoop { await $0.maintenanceOpen(door, reason: reason, by: peer) }.get()
        case .openAll:
            let reason = try requiredReason(request, peer: peer)
            response.action = try await onLoop { await $0.maintenanceOpenAll(reason: reason, by: peer) }
        case .quarantine:
            let door = try required(request.door, "door", for: request, peer: peer)
            let reason = try requiredReason(request, peer: peer)
            response.action = try await onLoop { $0.maintenanceQuarantine(door, reason: reason, by: peer) }.get()
        case .enable:
            let door = try required(request.door, "door", for: request, peer: peer)
            let reason = try optionalReason(request, default: "back in service")
            response.action = try await onLoop { $0.maintenanceEnable(door, reason: reason, by: peer) }.get()
        case .selftest:
            response.selftest = try await selftest(request, peer: peer)
        case .queue:
            response.queue = try await reading { try self.queue() }
        case .temps:
            if let parcel = request.parcel {
                let configuration = self.configuration, store = self.store, now = clock.now()
                guard let record = try await reading({
                    try ColdChainService.record(trackingNumber: parcel, configuration: configuration, store: store, now: now)
                }) else {
                    throw MaintenanceFailure(.badRequest, "no parcel with tracking number \"\(parcel.prefix(64))\" was ever in this cabinet")
                }
                response.temperatureRecord = record
            } else {
                response.temperatures = temperatures?() ?? []
            }
        case .diag:
            response.diagnostics = try await diagnostics(peer: peer)
        case .auditVerify:
            response.audit = try await reading { try self.auditVerification() }
        case .uplinkResume:
            let reason = try requiredReason(request, peer: peer)
            response.action = try await onLoop { $0.maintenanceResumeUplink(reason: reason, by: peer) }.get()
        case .lockout:
            response.lockout = try await onLoop { $0.lockoutReport() }
        case .lockoutClear:
            let reason = try requiredReason(request, peer: peer)
            response.lockout = try await onLoop { $0.maintenanceClearLockout(reason: reason, by: peer) }.get()
        case .report:
            response.report = try await report(request)
            response.reportLanguage = configuration.language
        case .metrics:
            await refreshGauges()
            response.metrics = metrics.exposition()
        case .sim:
            guard let simulator else {
                throw MaintenanceFailure(.refused, "this cabinet has real hardware; sim commands act only on the simulated cabinet")
            }
            let line = try required(request.line, "line", for: request, peer: peer)
            guard line.utf8.count <= 1_024, !line.contains(where: { $0.isNewline }) else {
                throw MaintenanceFailure(.badRequest, "a sim line is one line of at most 1024 bytes")
            }
            response.output = await simulator(line)
        }
        return response
    }

    // MARK: - Reads

    private func status() async throws -> CabinetStatusReport {
        let queue = try await reading { try self.queue() }
        let name = configuration.cabinetID
        let epoch = store.epoch
        let last = try store.lastEventSequence()
        let scanners = inputDevices.reports
        // Each cold zone's probe, as `temps` reports it: the map must not say "none configured"
        // while zones are running.
        let probes = (temperatures?() ?? []).map { zone in
            CabinetStatusReport.Device(
                name: zone.zone, kind: "temperature probe",
                state: zone.celsius.map { "\(String(format: "%.1f", $0)) °C, \(zone.state)" } ?? zone.state)
        }
        return try await onLoop { controller in
            let reports = CabinetReportProjection(controller)
            var report = CabinetStatusReport(
                cabinetName: name, time: controller.clock.now(), storeEpoch: epoch, lastEventSequence: last,
                keypadLockedUntil: reports.keypadLockedUntil, doors: reports.doorReports(),
                boards: reports.boardReports(), scanners: scanners, probes: probes, uplink: queue)
            report.alerts = controller.storageFull
                ? ["storage_full: deposits are refused until storeBudgetMegabytes is raised or disk space is freed"] : []
            return report
        }
    }

    private func events(after: Int64?, limit: Int?) throws -> [EventReport] {
        let limit = min(max(limit ?? 100, 1), 1_000)
        let start: Int64
        if let after {
            start = max(0, after)
        } else {
            start = max(0, try store.lastEventSequence() - Int64(limit))
        }
        return try store.events(after: start, limit: limit).map(feed.report)
    }

    /// The outbox: what the server has not acknowledged, and what the uplink is doing about it.
    private func queue() throws -> QueueReport {
        let backlog = try store.uplinkBacklog()
        // The durable halt, not the service's memory of it: a technician's resume shows at once.
        let halt = try store.uplinkHalt()
        guard let status = uplinkStatus?() else {
            return QueueReport(state: "not_configured", depth: backlog.count, oldestUnsentAt: backlog.oldest,
                               lastSuccessAt: nil, lastError: nil, backoffSeconds: nil)
        }
        var report = QueueReport(state: halt == nil ? status.state.rawValue : "halted", depth: backlog.count,
                                 oldestUnsentAt: backlog.oldest, lastSuccessAt: status.lastSuccessAt, lastError: status.lastError,
                                 backoffSeconds: halt == nil ? status.backoffSeconds : nil)
        report.haltedSince = halt?.haltedAt
        report.action = halt?.advice
        if halt == nil, backlog.count > 0, let rate = status.drainEventsPerSecond, rate > 0 {
            report.estimatedDrainSeconds = Double(backlog.count) / rate
        }
        return report
    }

    /// Reconciliation and figures for the requested period, in the cabinet's time zone. The whole
    /// chain is rehashed, so it runs beside the cabinet loop like `audit.verify`.
    private func report(_ request: MaintenanceRequest) async throws -> CustodyReport {
        let now = clock.now()
        let period: ReportPeriod
        do {
            period = try ReportPeriod.requested(day: request.day, month: request.month, from: request.from, to: request.to,
                                                timeZone: configuration.reportTimeZone, now: now)
        } catch {
            throw MaintenanceFailure(.badRequest, error.description)
        }
        let store = self.store, cabinet = configuration.cabinetID
        return try await reading {
            CustodyReportBuilder.build(try store.reportInput(cabinet: cabinet, period: period), period: period, now: now)
        }
    }

    private func auditVerification() throws -> AuditReport {
        let last = try store.lastEventSequence()
        let head = try store.events(after: max(0, last - 1), limit: 1).first?.hash ?? EventHashChain.genesis
        var report: AuditReport
        switch try store.verifyEventChain() {
        case .intact(let count, _):
            report = AuditReport(intact: true, checked: Int64(count), headSequence: last, headHash: head, firstBadSequence: nil, problem: nil)
        case .broken(let sequence, let reason):
            report = AuditReport(intact: false, checked: max(0, sequence - 1), headSequence: last, headHash: head,
                                 firstBadSequence: sequence, problem: reason)
        }
        // An unreadable checkpoint is the chain's finding above, not a failure of the request.
        if let checkpoint = (try? store.latestCheckpoint()) ?? nil {
            report.checkpointSequence = checkpoint.sequence
            report.compactedThrough = checkpoint.throughSequence
            report.compactedThroughHash = checkpoint.throughHash
            report.keptBeforeCut = checkpoint.kept.count
        }
        return report
    }

    /// Gauges are sampled when someone looks (here and every few seconds by the daemon).
    func refreshGauges() async {
        let backlog = try? store.uplinkBacklog()
        let now = clock.now()
        metrics.setOutbox(depth: backlog?.count ?? 0, oldestAgeSeconds: backlog?.oldest.map { max(0, now.timeIntervalSince($0)) })
        let sample = await inbox.perform { controller in
            (controller.offlineBoards.count, controller.doors.filter(\.isOpen).count,
             Dictionary(grouping: controller.model.compartments, by: { $0.state.rawValue }).mapValues(\.count))
        }
        for zone in temperatures?() ?? [] {
            if let celsius = zone.celsius { metrics.setCellTemperature(zone: zone.zone, celsius: celsius) }
        }
        if let (offline, open, states) = sample {
            metrics.setBoardsOffline(offline)
            metrics.setDoorsOpen(open)
            metrics.setCompartments(byState: states)
        }
    }

    // MARK: - Actions

    private func selftest(_ request: MaintenanceRequest, peer: MaintenancePeer) async throws -> [SelftestResult] {
        let reason = try optionalReason(request, default: "selftest")
        let labels = request.doors ?? request.door.map { [$0] }
        let plan = try await onLoop { $0.selftestPlan(labels) }
        let (doors, skipped) = try plan.get()
        let doorLabels = doors.map { configuration.compartments[$0].label }
        // The record comes before any latch moves; without it nothing is pulsed.
        guard try await onLoop({ $0.recordMaintenance("selftest", by: peer, reason: reason, result: "commanded", doors: doorLabels) }) != nil else {
            throw MaintenanceFailure(.failed, "the store refused the audit record; no door was pulsed")
        }
        var results = skipped
        // One door at a time: each pulse's outcome is known (sensor saw it open, or the door watch
        // gave up on it) before the next latch moves.
        for id in doors {
            let inbox = self.inbox
            let label = configuration.compartments[id].label
            let result = await withCheckedContinuation { (reply: CheckedContinuation<SelftestResult, Never>) in
                Task {
                    let started: Void? = await inbox.perform { await $0.startSelftest(id, reply: reply) }
                    if started == nil { reply.resume(returning: SelftestResult(door: label, outcome: "failed", detail: "lockerd is stopping")) }
                }
            }
            results.append(result)
        }
        let failed = results.filter { $0.outcome == "failed" }.map(\.door)
        let passed = results.filter { $0.outcome == "passed" }.map(\.door)
        _ = await inbox.perform {
            $0.recordMaintenance("selftest", by: peer, reason: reason, result: failed.isEmpty ? "passed" : "failed",
                                 detail: "passed: \(passed.joined(separator: " ")); failed: \(failed.joined(separator: " "))", doors: failed)
        }
        return results.sorted { $0.door < $1.door }
    }

    private func diagnostics(peer: MaintenancePeer) async throws -> DiagnosticsReport {
        let status = try await status()
        let (configuration, store, logLines, now) = (self.configuration, self.store, recentLog.lines(), clock.now())
        let directory = stateDirectory.appendingPathComponent("diagnostics")
        let report = try await reading {
            try DiagnosticsBundle(directory: directory, configuration: configuration, store: store, status: status,
                                  recentEvents: try self.events(after: nil, limit: 500), logLines: logLines, now: now).write()
        }
        _ = await inbox.perform { $0.recordMaintenance("diag", by: peer, reason: "diagnostics bundle", result: "done", detail: report.path) }
        return report
    }

    func refused(_ request: MaintenanceRequest, from peer: MaintenancePeer, failure: MaintenanceFailure) async {
        metrics.maintenanceRequest(command: request.command.rawValue, outcome: failure.code.rawValue)
        logger.warning("maintenance request refused", metadata: [
            "maintenance.command": "\(request.command.rawValue)", "maintenance.user": "\(peer.userName)", "error": "\(failure)",
        ])
        // A read-only peer that hammers the socket must not fill the disk with its refusals: one
        // record per peer per minute, saying how many attempts it stands for.
        guard let attempts = forbiddenRecords.admit(uid: peer.uid, now: clock.now()) else { return }
        let door = request.door ?? ""
        // Recorded as given only if it would pass as a reason; anything else is not worth keeping for ever.
        let reason = (try? checkedReason(request.reason)).flatMap { $0 } ?? ""
        let detail = attempts > 1 ? "\(failure.message) (\(attempts) forbidden attempts since the last record)" : failure.message
        _ = await inbox.perform {
            $0.recordMaintenance(request.command.rawValue, by: peer, reason: reason, result: failure.code.rawValue,
                                 detail: detail, compartmentID: $0.model.compartment(labelled: door)?.id)
        }
    }

    func rejected(uid: UInt32, gid: UInt32, pid: Int32, failure: MaintenanceFailure) {
        metrics.maintenancePeerRejected()
        logger.warning("maintenance connection turned away", metadata: [
            "peer.uid": "\(uid)", "peer.gid": "\(gid)", "peer.pid": "\(pid)", "reason": "\(failure.message)",
        ])
        // An outsider knocking is recorded in the chain (the server and the technician see who
        // tried), within the throttle's limits; a full house (`busy`) turns away people who may
        // connect, and is only logged and counted.
        guard failure.code == .forbidden, let admission = refusedPeers.admit(uid: uid, now: clock.now()) else { return }
        let user = MaintenanceAccessPolicy.systemUserName(uid)
        // Off the socket's event loop: the connection is answered and closed without waiting.
        Task {
            _ = await inbox.perform {
                $0.recordRefusedPeer(uid: uid, gid: gid, pid: pid, user: user, detail: failure.message,
                                     attempts: admission.attempts, suppressed: admission.suppressed)
            }
        }
    }

    func follow(after sequence: Int64?, version: Int, channel: any Channel, peer: MaintenancePeer) {
        feed.follow(after: sequence, version: version, channel: channel)
    }

    // MARK: - Helpers

    /// Store reads for the socket run here, one at a time, off the concurrency pool: a client
    /// repeating `audit.verify` on a long record must neither take the threads the cabinet loop
    /// runs on nor the database readers it needs after each commit.
    private let storeReads = DispatchQueue(label: "lockerd.maintenance.store-reads")

    private func reading<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            storeReads.async { continuation.resume(with: Result { try body() }) }
        }
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (CabinetController) async -> T) async throws -> T {
        guard let value = await inbox.perform(body) else { throw Self.stopping }
        return value
    }

    /// A missing or empty argument of a command that changes something is refused and recorded.
    private func required(_ value: String?, _ name: String, for request: MaintenanceRequest, peer: MaintenancePeer) throws -> String {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            throw MaintenanceFailure(.badRequest, "\"\(request.command.rawValue)\" needs \"\(name)\"")
        }
        return value
    }

    private func requiredReason(_ request: MaintenanceRequest, peer: MaintenancePeer) throws -> String {
        guard let reason = try checkedReason(request.reason) else {
            throw MaintenanceFailure(.badRequest, "\"\(request.command.rawValue)\" needs a reason: it goes into the audit trail")
        }
        return reason
    }

    private func optionalReason(_ request: MaintenanceRequest, default fallback: String) throws -> String {
        try checkedReason(request.reason) ?? fallback
    }

    private func checkedReason(_ text: String?) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        guard text.count <= 500 else { throw MaintenanceFailure(.badRequest, "a reason may be at most 500 characters") }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw MaintenanceFailure(.badRequest, "a reason may not contain control characters")
        }
        return text
    }
}
