public import Foundation
public import LockerColdChain
import LockerCore
public import LockerHAL
public import LockerMaintenanceProtocol
public import LockerSimulator
public import LockerStore
public import Logging
import Synchronization

/// The cold chain's shell: reads each zone's probe, judges it, drives its compressor or heater,
/// keeps its temperature record and raises its excursions and probe alarms.
///
/// The decisions are the pure core's (`ProbeFaultDetector`, `Thermostat`, `ExcursionTracker`,
/// `TemperatureSeriesCompactor`); this type only does the I/O around them, one zone at a time.
/// Custody events go through the controller's loop (`CabinetInbox.perform`), so they join the
/// hash chain and the outbox like every other event.
///
/// Power failure at each step: a sample is in the record once its segment's row committed (the
/// minutes after the last commit show as a gap); an excursion's start and end are committed with
/// their events; a restarted daemon finds an excursion still open and ends it when the zone is
/// back in band, and treats its start as the relay's last switch-off (anti-short-cycle).
public actor ColdChainService {
    /// What a zone measures with and drives.
    public struct ZoneHardware: Sendable {
        public var probe: any TemperatureProbe
        public var relay: any Relay
        /// The simulated zone, when it is one: it can be evaluated at past instants, so a long
        /// `wait` on the manual clock is simulated sample by sample, as real time would have been.
        public var simulated: SimulatedColdZone?

        public init(probe: any TemperatureProbe, relay: any Relay, simulated: SimulatedColdZone? = nil) {
            self.probe = probe
            self.relay = relay
            self.simulated = simulated
        }
    }

    /// The instant a simulated zone evaluates itself at: the clock's now, or a pinned past
    /// instant while a long manual-clock wait is replayed sample by sample.
    public final class SimulationClock: Sendable {
        private let clock: any CabinetClock
        private let pinned = Mutex<Date?>(nil)

        public init(clock: any CabinetClock) { self.clock = clock }

        public func now() -> Date { pinned.withLock { $0 } ?? clock.now() }
        func pin(_ time: Date?) { pinned.withLock { $0 = time } }
    }

    struct Zone {
        let entry: CabinetConfiguration.ZoneEntry
        let compartmentIDs: [Int]
        let labels: [String]
        let hardware: ZoneHardware
        /// 10 °C a minute: the air at a probe near an open door changes faster than the default
        /// allows, and a door opening must not read as a broken probe.
        var detector = ProbeFaultDetector(settings: .init(maximumCelsiusPerMinute: 10))
        var thermostat: Thermostat
        var tracker: ExcursionTracker
        var compactor: TemperatureSeriesCompactor
        var openSegmentID: Int64?
        var lastStep: Date?
        var assessment: ProbeAssessment?
        var openExcursionID: Int64?
        var raisedFault: String?
        var isFit: Bool?
        var relayProblem: String?
        var consecutiveFaults = 0

        var band: TemperatureBand { TemperatureBand(lowCelsius: entry.lowCelsius, highCelsius: entry.highCelsius) }
    }

    private var zones: [Zone]
    /// The simulated zones by name (the front panel breaks their compressors and probes on purpose).
    public nonisolated let simulatedZones: [String: SimulatedColdZone]
    private let store: CabinetStore
    private let inbox: CabinetInbox
    private let clock: any CabinetClock
    private let simulationClock: SimulationClock?
    private let logger: Logger
    private let reportsSnapshot = Mutex<[TemperatureReport]>([])
    private var lastPrune: Date?
    private var stepping: Task<Void, Never>?

    /// Every compartment some zone serves: unfit for new parcels until its zone's first healthy,
    /// in-band sample (the daemon marks them before the cabinet takes its first input).
    public nonisolated let zoneCompartmentIDs: [Int]

    /// Zones whose compartment labels are not configured are left out (validation reports them).
    public init(configuration: CabinetConfiguration, hardware: [String: ZoneHardware], store: CabinetStore, inbox: CabinetInbox,
                clock: any CabinetClock, simulationClock: SimulationClock? = nil, logger: Logger) {
        let now = clock.now()
        let ongoing = (try? store.ongoingExcursions()) ?? []
        zones = configuration.zones.compactMap { entry in
            guard let hardware = hardware[entry.name] else { return nil }
            let ids = entry.compartments.compactMap { label in
                configuration.compartments.firstIndex { CompartmentLabel.same($0.label, label) }
            }
            let temperatureClass = ids.first.map { configuration.compartments[$0].temperatureClass.lowercased() } ?? "chilled"
            let settings = ThermostatSettings(
                mode: temperatureClass == "heated" ? .heating : .cooling, lowCelsius: entry.lowCelsius, highCelsius: entry.highCelsius,
                hysteresisCelsius: entry.hysteresisCelsius, minimumOffSeconds: entry.minimumOffSeconds,
                minimumOnSeconds: entry.minimumOnSeconds, maximumRunSeconds: entry.maximumRunSeconds,
                relayOnWhenProbeFaulty: entry.relayOnWhenProbeFaulty)
            var zone = Zone(
                entry: entry, compartmentIDs: ids, labels: ids.map { configuration.compartments[$0].label }, hardware: hardware,
                thermostat: Thermostat(settings: settings, startedAt: now),
                tracker: ExcursionTracker(settings: .init(band: settings.band, graceSeconds: entry.graceSeconds,
                                                          doorOpenGraceSeconds: entry.doorOpenGraceSeconds)),
                // Samples further apart than three intervals (or 3 minutes) leave a gap in the record.
                compactor: TemperatureSeriesCompactor(settings: .init(maximumGapSeconds: min(180, 3 * entry.sampleSeconds))))
            zone.openExcursionID = ongoing.last { $0.zone == entry.name }?.id
            return zone
        }
        simulatedZones = hardware.compactMapValues(\.simulated)
        zoneCompartmentIDs = zones.flatMap(\.compartmentIDs)
        self.store = store
        self.inbox = inbox
        self.clock = clock
        self.simulationClock = simulationClock
        self.logger = logger
    }

    /// The zones as `lockerctl temps` shows them (a snapshot, safe from any thread).
    public nonisolated var reports: [TemperatureReport] { reportsSnapshot.withLock { $0 } }

    /// Samples every zone whose sampling interval has passed. With a simulated zone and a long
    /// jump of the clock (a manual-clock wait), the missed samples are taken at their own
    /// instants, up to a day of them per call.
    public func step() async {
        // One step at a time: the actor is re-entered at every await, and two interleaved steps
        // would sample a zone twice and write back stale copies of its state. Each step runs after
        // the one before it (a chain, not a wait-and-recheck loop: awaiting a finished task does
        // not give the actor up, so a second caller re-checking `stepping` before the first one
        // cleared it spun for ever and stalled the manual clock's `wait`).
        let previous = stepping
        let task = Task {
            await previous?.value
            await self.performStep()
        }
        stepping = task
        await task.value
        if stepping == task { stepping = nil }
    }

    private func performStep() async {
        let now = clock.now()
        for index in zones.indices {
            let interval = zones[index].entry.sampleSeconds
            if let last = zones[index].lastStep, now.timeIntervalSince(last) < interval { continue }
            var instants: [Date] = []
            if let last = zones[index].lastStep, zones[index].hardware.simulated != nil, simulationClock != nil {
                var instant = last.addingTimeInterval(interval)
                // Only samples a whole interval before now are missed ones (the real clock's
                // loop lands a little after each interval, and must not sample twice).
                while instant <= now.addingTimeInterval(-interval), instants.count < Int(86_400 / interval) {
                    instants.append(instant)
                    instant = instant.addingTimeInterval(interval)
                }
            }
            for instant in instants {
                simulationClock?.pin(instant)
                await sample(index, at: instant, replaying: true)
            }
            simulationClock?.pin(nil)
            await sample(index, at: now)
        }
        publishReports(now: now)
        if lastPrune.map({ now.timeIntervalSince($0) >= 3_600 }) ?? true {
            lastPrune = now
            prune(now: now)
        }
    }

    /// Samples on the real clock until cancelled, every `sampleSeconds` of the fastest zone.
    public func run() async {
        let interval = zones.map(\.entry.sampleSeconds).min() ?? 30
        while !Task.isCancelled {
            await step()
            try? await Task.sleep(for: .milliseconds(Int(interval * 1_000)))
        }
    }

    /// Shutdown: every relay to its safe state (off), every open segment's row already holds its
    /// samples.
    public func stop() async {
        for zone in zones { await zone.hardware.relay.setSafeState() }
    }

    // MARK: - One sample of one zone

    /// - Parameter replaying: a missed sample of a simulated zone, replayed after a manual-clock
    ///   jump: its open segment is written once the replay reaches now, not at every sample (a
    ///   wait of days would otherwise be thousands of durable writes).
    private func sample(_ index: Int, at now: Date, replaying: Bool = false) async {
        var zone = zones[index]
        defer { zones[index] = zone }
        zone.lastStep = now
        var assessment = zone.detector.assess(Self.reading(await zone.hardware.probe.read()), now: now)
        // One bad read (a 1-Wire timeout, a glitch) is not yet a broken probe: the last healthy
        // value stands for one sample; the second bad read in a row is the alarm.
        if case .faulty = assessment {
            zone.consecutiveFaults += 1
            if zone.consecutiveFaults < 2, case .healthy(let last)? = zone.assessment { assessment = .healthy(celsius: last) }
        } else {
            zone.consecutiveFaults = 0
        }
        zone.assessment = assessment
        let name = zone.entry.name, labels = zone.labels
        switch assessment {
        case .faulty(let fault):
            let detail = Self.describe(fault)
            if zone.raisedFault == nil {
                logger.error("probe fault: the zone runs in its safe state and takes no cold parcels",
                             metadata: ["zone": "\(name)", "fault": "\(detail)"])
                await inbox.perform { $0.recordProbeFault(zone: name, labels: labels, detail: detail) }
                // The record must show the time nobody could measure as a gap, not bridge it.
                closeSegment(&zone)
            }
            zone.raisedFault = detail
            // The grace keeps running while the probe is out: an excursion may start now.
            for event in zone.tracker.observeProbeFault(now: now) { await handle(event, zone: &zone) }
        case .healthy(let celsius):
            if zone.raisedFault != nil {
                logger.notice("probe recovered", metadata: ["zone": "\(name)"])
                await inbox.perform { $0.recordProbeFault(zone: name, labels: labels, detail: nil) }
                zone.raisedFault = nil
            }
            record(&zone, celsius: celsius, at: now, persistOpen: !replaying)
            let ids = zone.compartmentIDs
            let doorOpen = await inbox.perform { controller in ids.contains { controller.doors[$0].isOpen } } ?? false
            for event in zone.tracker.observe(celsius: celsius, doorOpen: doorOpen, now: now) {
                await handle(event, zone: &zone)
            }
            // An excursion left open by an earlier run ends once the zone is back in band.
            if let id = zone.openExcursionID, !zone.tracker.isInExcursion, zone.tracker.outOfBandSince == nil {
                let stored = (try? store.ongoingExcursions())?.first { $0.id == id }
                if let stored {
                    let excursion = Excursion(start: stored.start, peakCelsius: stored.peakCelsius,
                                              direction: stored.direction == "too_cold" ? .tooCold : .tooWarm)
                    await inbox.perform { $0.recordExcursionEnd(id: id, zone: name, labels: labels, excursion: excursion, end: now) }
                }
                zone.openExcursionID = nil
            }
        }
        await drive(&zone, now: now)
        // Fit: a healthy probe, in band, no excursion, and a relay that obeys.
        let fit = assessment.celsius.map { zone.band.contains($0) } == true && !zone.tracker.isInExcursion && zone.relayProblem == nil
        if fit != zone.isFit {
            zone.isFit = fit
            let ids = zone.compartmentIDs
            await inbox.perform { $0.setClimateFit(fit, compartmentIDs: ids) }
            if !fit { logger.notice("cold zone takes no new parcels until it is back in range", metadata: ["zone": "\(name)"]) }
        }
    }

    private func closeSegment(_ zone: inout Zone) {
        guard let closed = zone.compactor.close() else { return }
        let id = zone.openSegmentID
        zone.openSegmentID = nil
        do {
            try store.saveTemperatureSegment(Self.stored(closed, zone: zone.entry.name), id: id)
        } catch {
            recordNotWritten(error, zone: zone.entry.name)
        }
    }

    private func record(_ zone: inout Zone, celsius: Double, at now: Date, persistOpen: Bool) {
        let closed = zone.compactor.add(celsius: celsius, at: now)
        do {
            if let closed {
                // The id is let go first: if this write fails, the next open segment gets a row of
                // its own instead of overwriting the closed one's.
                let id = zone.openSegmentID
                zone.openSegmentID = nil
                try store.saveTemperatureSegment(Self.stored(closed, zone: zone.entry.name), id: id)
            }
            if persistOpen, let open = zone.compactor.open {
                zone.openSegmentID = try store.saveTemperatureSegment(Self.stored(open, zone: zone.entry.name), id: zone.openSegmentID)
            }
        } catch {
            recordNotWritten(error, zone: zone.entry.name)
        }
    }

    /// A segment that could not be written leaves a gap in the record, which says the truth. A
    /// failed fsync, though, means nothing the process believes about the file holds any more:
    /// as for custody writes (`CabinetController.commit`), the daemon stops at once and systemd
    /// restarts it from what is on disk.
    private func recordNotWritten(_ error: any Error, zone: String) {
        CabinetStore.stopOnFailedSync(error, syncing: "the temperature record", metadata: ["zone": "\(zone)"], logger: logger)
        logger.error("temperature record not written: the record shows a gap here", metadata: [
            "zone": "\(zone)", "error": "\(error)",
        ])
    }

    private func handle(_ event: ExcursionEvent, zone: inout Zone) async {
        let name = zone.entry.name, labels = zone.labels
        switch event {
        case .started(let excursion):
            logger.warning("cold-chain excursion", metadata: [
                "zone": "\(name)", "direction": "\(excursion.direction.storeName)", "peak.celsius": "\(excursion.peakCelsius)",
            ])
            // An excursion an earlier run recorded goes on under its id.
            if zone.openExcursionID == nil {
                zone.openExcursionID = await inbox.perform { $0.recordExcursionStart(zone: name, labels: labels, excursion: excursion) } ?? nil
            }
        case .ended(let excursion):
            logger.notice("cold-chain excursion ended", metadata: [
                "zone": "\(name)", "duration.seconds": "\(excursion.durationSeconds ?? 0)", "peak.celsius": "\(excursion.peakCelsius)",
            ])
            if let id = zone.openExcursionID, let end = excursion.end {
                await inbox.perform { $0.recordExcursionEnd(id: id, zone: name, labels: labels, excursion: excursion, end: end) }
            }
            zone.openExcursionID = nil
        }
    }

    private func drive(_ zone: inout Zone, now: Date) async {
        let wasOn = zone.thermostat.isOn
        let on = zone.thermostat.decide(celsius: zone.assessment?.celsius, now: now)
        guard on != wasOn || zone.relayProblem != nil else { return }
        do {
            try await zone.hardware.relay.set(on: on)
            if zone.relayProblem != nil { logger.notice("relay answers again", metadata: ["zone": "\(zone.entry.name)"]) }
            zone.relayProblem = nil
        } catch {
            if zone.relayProblem == nil {
                logger.error("relay cannot be switched", metadata: ["zone": "\(zone.entry.name)", "on": "\(on)", "error": "\(error)"])
            }
            zone.relayProblem = "\(error)"
        }
    }

    // MARK: - Reports, export, pruning

    private func publishReports(now: Date) {
        let reports = zones.map { zone -> TemperatureReport in
            let state: String
            var detail: String?
            switch zone.assessment {
            case .faulty?: state = "probe_fault"; detail = zone.raisedFault
            case nil: state = "not_sampled"
            case .healthy(let celsius)?:
                if zone.tracker.isInExcursion { state = "excursion" }
                else if !zone.band.contains(celsius) { state = "out_of_band" }  // within its grace
                else { state = "in_band" }
            }
            if let problem = zone.relayProblem { detail = [detail, "relay: \(problem)"].compactMap { $0 }.joined(separator: "; ") }
            var report = TemperatureReport(zone: zone.entry.name, celsius: zone.assessment?.celsius, lowCelsius: zone.entry.lowCelsius,
                                           highCelsius: zone.entry.highCelsius, state: state, sampledAt: zone.lastStep)
            report.relayOn = zone.thermostat.isOn
            report.doors = zone.labels
            report.detail = detail
            return report
        }
        reportsSnapshot.withLock { $0 = reports }
    }

    /// The record is kept 35 days after it was measured (claims about a parcel come after its
    /// pickup), and never while a parcel deposited in it is still in custody.
    private func prune(now: Date) {
        var cutoff = now.addingTimeInterval(-35 * 86_400)
        // Parcels still inside, and those whose custody ended within the 35 days, keep their
        // record from their deposit; if they cannot be read, nothing is pruned this time.
        let held: Date?
        do { held = try store.earliestDeposit(ofParcelsLiveOrEndedSince: cutoff) } catch { return }
        if let held { cutoff = min(cutoff, held) }
        do {
            let removed = try store.pruneTemperatureSegments(endedBefore: cutoff)
            if removed > 0 { logger.info("old temperature record pruned", metadata: ["segments": "\(removed)"]) }
        } catch {
            logger.warning("temperature record not pruned", metadata: ["error": "\(error)"])
        }
    }

    /// The zone a compartment belongs to, and its band (nil: no zone watches it).
    nonisolated static func zone(of compartmentID: Int, in configuration: CabinetConfiguration) -> CabinetConfiguration.ZoneEntry? {
        guard configuration.compartments.indices.contains(compartmentID) else { return nil }
        let label = configuration.compartments[compartmentID].label
        return configuration.zones.first { $0.compartments.contains { CompartmentLabel.same($0, label) } }
    }

    /// A compartment's record from `from` to `to`: its zone's segments and excursions, summarized.
    public nonisolated static func summary(compartmentID: Int, from: Date, to: Date, configuration: CabinetConfiguration,
                                           store: CabinetStore) -> ColdChainSummary? {
        guard let zone = zone(of: compartmentID, in: configuration) else { return nil }
        let segments = (try? store.temperatureSegments(zone: zone.name, from: from, to: to)) ?? []
        let excursions = (try? store.excursions(zone: zone.name, from: from, to: to)) ?? []
        return ColdChainSummary.summarize(
            segments: heldToNow(segments, until: to, sampleSeconds: zone.sampleSeconds).map(\.segment),
            excursions: excursions.map(\.excursion), from: from, to: to,
            band: TemperatureBand(lowCelsius: zone.lowCelsius, highCelsius: zone.highCelsius))
    }

    /// A parcel's whole temperature record, for `lockerctl temps --parcel` (nil: no such parcel;
    /// a parcel in a compartment no zone watches has a record with no segments).
    public nonisolated static func record(trackingNumber: String, configuration: CabinetConfiguration, store: CabinetStore,
                                          now: Date) throws -> ParcelTemperatureRecord? {
        guard let (parcel, endedAt) = try store.custody(ofTrackingNumber: trackingNumber) else { return nil }
        let door = configuration.compartments.indices.contains(parcel.compartmentID)
            ? configuration.compartments[parcel.compartmentID].label : "#\(parcel.compartmentID)"
        guard let zone = zone(of: parcel.compartmentID, in: configuration) else {
            return ParcelTemperatureRecord(
                trackingNumber: parcel.trackingNumber, door: door, zone: "", lowCelsius: 0, highCelsius: 0, depositedAt: parcel.depositedAt,
                pickedUpAt: endedAt, minCelsius: nil, maxCelsius: nil, secondsOutOfBand: 0,
                gapSeconds: (endedAt ?? now).timeIntervalSince(parcel.depositedAt), segments: [], excursions: [])
        }
        let to = endedAt ?? now
        let segments = heldToNow(try store.temperatureSegments(zone: zone.name, from: parcel.depositedAt, to: to), until: to,
                                 sampleSeconds: zone.sampleSeconds)
        let excursions = try store.excursions(zone: zone.name, from: parcel.depositedAt, to: to)
        let band = TemperatureBand(lowCelsius: zone.lowCelsius, highCelsius: zone.highCelsius)
        let summary = ColdChainSummary.summarize(segments: segments.map(\.segment), excursions: excursions.map(\.excursion),
                                                 from: parcel.depositedAt, to: to, band: band)
        return ParcelTemperatureRecord(
            trackingNumber: parcel.trackingNumber, door: door, zone: zone.name, lowCelsius: zone.lowCelsius, highCelsius: zone.highCelsius,
            depositedAt: parcel.depositedAt, pickedUpAt: endedAt, minCelsius: summary.minCelsius, maxCelsius: summary.maxCelsius,
            secondsOutOfBand: summary.secondsOutOfBand, gapSeconds: summary.gapSeconds,
            segments: segments.map {
                .init(start: $0.start, end: $0.end, minCelsius: $0.minCelsius, maxCelsius: $0.maxCelsius, samples: $0.sampleCount)
            },
            excursions: excursions.map { .init(direction: $0.direction, start: $0.start, end: $0.end, peakCelsius: $0.peakCelsius) })
    }

    /// The last sample's reading stands until the next sample is due: a pickup between two samples
    /// is not a gap in the record. Later than two intervals after it, it is one.
    nonisolated static func heldToNow(_ segments: [StoredTemperatureSegment], until: Date, sampleSeconds: Double) -> [StoredTemperatureSegment] {
        guard var last = segments.last, until > last.end, until.timeIntervalSince(last.end) <= 2 * sampleSeconds else { return segments }
        last.end = until
        return segments.dropLast() + [last]
    }

    // MARK: - Conversions

    static func reading(_ sample: ProbeSample) -> ProbeReading {
        switch sample {
        case .celsius(let value): return .celsius(value)
        case .crcFailure: return .crcFailure
        case .missing(let detail): return .missing(detail: detail)
        }
    }

    static func describe(_ fault: ProbeFault) -> String {
        switch fault {
        case .crcFailure: return "CRC failures on every recent read"
        case .powerOnValue: return "reads 85.0 °C, the probe's power-on value (power or wiring fault)"
        case .disconnected(let detail): return "disconnected: \(detail)"
        case .stuck(let seconds): return "stuck on one value for \(Int(seconds)) s"
        case .impossibleJump(let from, let to, let seconds):
            return "jumped from \(from) °C to \(to) °C in \(Int(seconds)) s, faster than air can change"
        case .outOfRange(let celsius): return "reads \(celsius) °C, outside the probe's range"
        }
    }

    static func stored(_ segment: TemperatureSegment, zone: String) -> StoredTemperatureSegment {
        StoredTemperatureSegment(zone: zone, start: segment.start, end: segment.end, minCelsius: segment.minCelsius,
                                 maxCelsius: segment.maxCelsius, lastCelsius: segment.lastCelsius, sampleCount: segment.sampleCount)
    }
}

extension StoredTemperatureSegment {
    var segment: TemperatureSegment {
        TemperatureSegment(start: start, end: end, minCelsius: minCelsius, maxCelsius: maxCelsius, lastCelsius: lastCelsius,
                           sampleCount: sampleCount)
    }
}

extension StoredExcursion {
    var excursion: Excursion {
        Excursion(start: start, end: end, peakCelsius: peakCelsius, direction: direction == "too_cold" ? .tooCold : .tooWarm)
    }
}
