public import FoundationEssentials

/// Computes a report from what the store read: a pure function of its input, the period and
/// `now` (no clock, no I/O), so a simulated month gives the same report every time.
///
/// Reconciliation is computed from the events, parcel by parcel: each parcel's deposit and its
/// pickup or retrieval say whether it was inside at the period's start and end, so
/// in at start + deposits = pickups + retrievals + in at end holds exactly when every parcel's
/// record is whole. Then the parcels table (the live state custody decisions are made on) is
/// checked against it. A removed or altered event shows up three ways: the hash chain breaks, a
/// class no longer balances, and the parcel is listed with its events.
public enum CustodyReportBuilder {
    public static let standardClasses = ["ambient", "chilled", "frozen", "heated"]

    public static func build(_ input: ReportInput, period: ReportPeriod, now: Date) -> CustodyReport {
        let events = input.events
        let start = period.start.timeIntervalSince1970, end = period.end.timeIntervalSince1970
        let grid = LocalTimeGrid(period: period)
        let inPeriod = { (time: Double) in time >= start && time < end }

        // Each parcel's trace: its custody events and its table row.
        var traces: [Int64: ParcelTrace] = [:]
        traces.reserveCapacity(input.parcels.count)
        for row in input.parcels { traces[row.id, default: ParcelTrace()].row = row }
        for (index, event) in events.enumerated() {
            switch event.kind {
            case ReportEventKind.depositCommitted, ReportEventKind.depositRecovered:
                if let id = event.parcelID { traces[id, default: ParcelTrace()].deposits.append(index) }
            case ReportEventKind.pickupCommitted, ReportEventKind.retrievalCommitted:
                for id in event.parcelIDs { traces[id, default: ParcelTrace()].exits.append(index) }
            case ReportEventKind.parcelOverdue:
                if let id = event.parcelID { traces[id, default: ParcelTrace()].overdue.append(index) }
            default:
                break
            }
        }
        func depositEvent(_ trace: ParcelTrace) -> ReportEvent? { trace.deposits.first.map { events[$0] } }
        func temperatureClass(_ trace: ParcelTrace) -> String {
            depositEvent(trace)?.temperatureClass ?? trace.row?.temperatureClass ?? "unknown"
        }
        func carrier(_ trace: ParcelTrace) -> String {
            let recorded = depositEvent(trace)?.carrier ?? ""
            return recorded.isEmpty ? (trace.row?.carrier ?? "") : recorded
        }
        func depositTime(_ trace: ParcelTrace) -> Double? { depositEvent(trace)?.occurredAt ?? trace.row?.depositedAt }

        // Reconciliation, per class.
        var balances: [String: CustodyReport.ClassBalance] = [:]
        for name in standardClasses { balances[name] = CustodyReport.ClassBalance(temperatureClass: name) }
        let tableAtEndIsNow = period.end >= now
        var differences: [CustodyReport.ParcelDifference] = []

        // Figures.
        var days = grid.days.map { CustodyReport.DayVolume(date: $0.date, hours: $0.hours) }
        var hours = (0..<24).map { CustodyReport.HourVolume(hour: $0) }
        var carriers: [String: CustodyReport.PartyVolume] = [:]
        var couriers: [String: CustodyReport.PartyVolume] = [:]
        var dwell: [Double] = []
        var overdue = CustodyReport.OverdueFigures()
        var batches = Set<Double>()
        // Per day end: the doors holding parcels.
        var occupiedDoors = Array(repeating: Set<Int>(), count: grid.days.count)
        var occupiedAtEnd = Set<Int>()

        for (id, trace) in traces {
            // A parcel that left before the checkpoint's cut: its events were compacted (or are
            // being: a pass removes them in steps, and a power cut may stop it halfway), and the
            // checkpoint's totals count it.
            if let checkpoint = input.checkpoint, let row = trace.row, !row.isLive,
               (row.endedAt ?? .infinity) <= checkpoint.coversUntil.timeIntervalSince1970,
               trace.allEvents.allSatisfy({ events[$0].sequence <= checkpoint.throughSequence }) {
                continue
            }
            let name = temperatureClass(trace)
            let liveAtStart = trace.isLive(at: start, events)
            let liveAtEnd = trace.isLive(at: end, events)
            var tableLiveAtEnd = false
            if let row = trace.row {
                tableLiveAtEnd = tableAtEndIsNow ? row.isLive : (row.depositedAt < end && (row.endedAt.map { $0 >= end } ?? true))
            }
            var touches = liveAtStart || liveAtEnd || tableLiveAtEnd
            var balance = balances[name] ?? CustodyReport.ClassBalance(temperatureClass: name)
            if liveAtStart { balance.inAtStart += 1 }
            if liveAtEnd { balance.inAtEnd += 1 }
            if tableLiveAtEnd {
                // Counted under the table's own class: a class altered in the record shows as a difference.
                let tableClass = trace.row?.temperatureClass ?? name
                if tableClass == name {
                    balance.inAtEndPerTable += 1
                } else {
                    balances[tableClass, default: CustodyReport.ClassBalance(temperatureClass: tableClass)].inAtEndPerTable += 1
                }
            }
            let parcelCarrier = carrier(trace)
            for index in trace.deposits where inPeriod(events[index].occurredAt) {
                let event = events[index]
                touches = true
                balance.deposits += 1
                if let (day, hour) = grid.locate(event.occurredAt) {
                    days[day].deposits += 1
                    hours[hour].deposits += 1
                }
                carriers[parcelCarrier, default: CustodyReport.PartyVolume(name: parcelCarrier)].deposits += 1
                let courier = event.courierID ?? trace.row?.courierID ?? ""
                couriers[courier, default: CustodyReport.PartyVolume(name: courier)].deposits += 1
            }
            for index in trace.exits where inPeriod(events[index].occurredAt) {
                let event = events[index]
                touches = true
                let isPickup = event.kind == ReportEventKind.pickupCommitted
                let wasOverdue = trace.overdue.contains { $0 < index }
                if isPickup { balance.pickups += 1 } else { balance.retrievals += 1 }
                if let (day, hour) = grid.locate(event.occurredAt) {
                    if isPickup { days[day].pickups += 1; hours[hour].pickups += 1 }
                    else { days[day].retrievals += 1; hours[hour].retrievals += 1 }
                }
                if isPickup {
                    carriers[parcelCarrier, default: CustodyReport.PartyVolume(name: parcelCarrier)].pickups += 1
                    if wasOverdue { overdue.pickedUpLate += 1 }
                } else {
                    carriers[parcelCarrier, default: CustodyReport.PartyVolume(name: parcelCarrier)].retrievals += 1
                    let courier = event.courierID ?? ""
                    couriers[courier, default: CustodyReport.PartyVolume(name: courier)].retrievals += 1
                    if wasOverdue { overdue.retrieved += 1 }
                    if let batch = event.batchStartedAt {
                        overdue.retrievedInBatches += 1
                        batches.insert(batch)
                    }
                }
                if let deposited = depositTime(trace) { dwell.append(max(0, event.occurredAt - deposited)) }
            }
            for index in trace.overdue where inPeriod(events[index].occurredAt) {
                touches = true
                overdue.flagged += 1
            }
            if liveAtEnd, trace.overdue.contains(where: { events[$0].occurredAt < end }) { overdue.inAtEnd += 1 }
            balances[name] = balance

            // Parcels and doors held at each day's end (a well-formed trace is one interval).
            if let deposited = depositTime(trace), deposited < end {
                let left = trace.exits.first.map { events[$0].occurredAt } ?? .infinity
                let door = depositEvent(trace)?.compartmentID ?? trace.row?.compartmentID
                if left >= start {
                    for (day, dayInfo) in grid.days.enumerated() where deposited < dayInfo.end && left >= dayInfo.end {
                        days[day].inAtEnd += 1
                        if let door { occupiedDoors[day].insert(door) }
                    }
                    if liveAtEnd, let door { occupiedAtEnd.insert(door) }
                }
            }

            if let row = trace.row, !touches {
                touches = (row.depositedAt >= start && row.depositedAt < end) || (row.endedAt.map(inPeriod) ?? false)
            }
            if touches, let problem = problem(trace, events: events) {
                differences.append(CustodyReport.ParcelDifference(
                    parcelID: id, trackingNumber: trace.row?.trackingNumber ?? depositEvent(trace)?.trackingNumber, problem: problem,
                    tableStatus: trace.row?.status ?? "no row",
                    events: trace.allEvents.map {
                        CustodyReport.EventLine(sequence: events[$0].sequence, kind: events[$0].kind,
                                                occurredAt: Date(timeIntervalSince1970: events[$0].occurredAt))
                    }))
            }
        }
        differences.sort { $0.parcelID < $1.parcelID }

        let classOrder = standardClasses + balances.keys.filter { !standardClasses.contains($0) }.sorted()
        let classes = classOrder.compactMap { balances[$0] }
        var total = CustodyReport.ClassBalance(temperatureClass: "all")
        for balance in classes {
            total.inAtStart += balance.inAtStart
            total.deposits += balance.deposits
            total.pickups += balance.pickups
            total.retrievals += balance.retrievals
            total.inAtEnd += balance.inAtEnd
            total.inAtEndPerTable += balance.inAtEndPerTable
        }
        overdue.batchRetrievals = batches.count
        dwell.sort()
        return CustodyReport(
            cabinet: input.cabinet, period: period, generatedAt: now, chain: input.chain,
            reconciliation: CustodyReport.Reconciliation(classes: classes, total: total, differences: differences),
            days: days, hourOfDay: hours,
            carriers: carriers.values.sorted(by: Self.busiestFirst), couriers: couriers.values.sorted(by: Self.busiestFirst),
            dwell: CustodyReport.DwellTimes(count: dwell.count, p50Seconds: NearestRank.percentile(dwell, 0.5),
                                            p90Seconds: NearestRank.percentile(dwell, 0.9), maxSeconds: dwell.last),
            overdue: overdue, security: security(events, inPeriod), faults: faults(events, start: start, end: min(end, max(start, now.timeIntervalSince1970)), inPeriod),
            uplink: uplinkDelay(input, inPeriod),
            occupancy: occupancy(doors: input.compartments, occupiedDoors: occupiedDoors, occupiedAtEnd: occupiedAtEnd, grid: grid),
            compaction: input.checkpoint)
    }

    // MARK: - Reconciliation per parcel

    /// What is wrong with one parcel's record, or nil when it is a deposit followed by at most one
    /// pickup or retrieval and the parcels table says the same.
    static func problem(_ trace: ParcelTrace, events: [ReportEvent]) -> String? {
        var problems: [String] = []
        if trace.deposits.isEmpty {
            problems.append(trace.exits.isEmpty ? "in the parcels table but nowhere in the custody record"
                                                 : "left custody but the record has no deposit of it")
        }
        if trace.deposits.count > 1 { problems.append("deposited \(trace.deposits.count) times") }
        if trace.exits.count > 1 { problems.append("left custody \(trace.exits.count) times") }
        if let exit = trace.exits.first, let deposit = trace.deposits.first, exit < deposit {
            problems.append("left custody (#\(events[exit].sequence)) before it was deposited (#\(events[deposit].sequence))")
        }
        if let row = trace.row {
            if !trace.deposits.isEmpty || !trace.exits.isEmpty {
                let recordLive = trace.isLiveAtHead
                if recordLive != row.isLive {
                    problems.append(recordLive
                        ? "the record has it inside; the parcels table says \(row.status)"
                        : "the record has it out; the parcels table says \(row.status)")
                } else if let exit = trace.exits.last {
                    let recorded = events[exit].kind == ReportEventKind.pickupCommitted ? "picked_up" : "retrieved"
                    if recorded != row.status { problems.append("the record says \(recorded); the parcels table says \(row.status)") }
                }
                if recordLive, row.isLive, (row.status == "overdue") != !trace.overdue.isEmpty {
                    problems.append(row.status == "overdue" ? "overdue in the parcels table but never flagged in the record"
                                                            : "flagged overdue in the record but not in the parcels table")
                }
            }
            if let deposit = trace.deposits.first.map({ events[$0] }) {
                if let recorded = deposit.temperatureClass, recorded != row.temperatureClass {
                    problems.append("deposited as \(recorded); the parcels table says \(row.temperatureClass)")
                }
                if let recorded = deposit.trackingNumber, recorded != row.trackingNumber {
                    problems.append("deposited as \(recorded); the parcels table says \(row.trackingNumber)")
                }
            }
        } else {
            problems.append("in the custody record but not in the parcels table")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    // MARK: - Other figures

    static func busiestFirst(_ a: CustodyReport.PartyVolume, _ b: CustodyReport.PartyVolume) -> Bool {
        let left = a.deposits + a.pickups + a.retrievals, right = b.deposits + b.pickups + b.retrievals
        return left != right ? left > right : a.name < b.name
    }

    static func security(_ events: [ReportEvent], _ inPeriod: (Double) -> Bool) -> CustodyReport.SecurityFigures {
        var figures = CustodyReport.SecurityFigures()
        for event in events where inPeriod(event.occurredAt) {
            switch event.kind {
            case ReportEventKind.keypadLockedOut:
                figures.keypadLockouts += 1
                figures.wrongCodesInLockouts += Int(event.count ?? 0)
            case ReportEventKind.courierLockedOut:
                figures.courierLockouts += 1
            default:
                break
            }
        }
        return figures
    }

    /// - Parameter end: the period's end, or now when the period is still running (an outage
    ///   still going counts up to then).
    static func faults(_ events: [ReportEvent], start: Double, end: Double, _ inPeriod: (Double) -> Bool) -> CustodyReport.FaultFigures {
        var figures = CustodyReport.FaultFigures()
        var offlineSince: [String: Double] = [:]
        for event in events where inPeriod(event.occurredAt) {
            switch event.kind {
            case ReportEventKind.doorForcedOpen: figures.doorsForcedOpen += 1
            case ReportEventKind.doorLeftOpen: figures.doorsLeftOpen += 1
            case ReportEventKind.doorOpenedUnseen: figures.doorsOpenedUnseen += 1
            case ReportEventKind.parcelMissing: figures.parcelsMissing += 1
            case ReportEventKind.latchFailed: figures.latchFailures += 1
            case ReportEventKind.excursionStarted: figures.temperatureExcursions += 1
            case ReportEventKind.probeFault: figures.probeFaults += 1
            case ReportEventKind.boardOffline:
                let board = event.subject ?? ""
                if offlineSince[board] == nil {
                    figures.boardOutages += 1
                    offlineSince[board] = event.occurredAt
                }
            case ReportEventKind.boardOnline:
                // Back online with no offline in the period: the outage began before it.
                let since = offlineSince.removeValue(forKey: event.subject ?? "") ?? start
                figures.boardOutageSeconds += max(0, event.occurredAt - since)
            default:
                break
            }
        }
        for since in offlineSince.values { figures.boardOutageSeconds += max(0, end - since) }
        return figures
    }

    static func uplinkDelay(_ input: ReportInput, _ inPeriod: (Double) -> Bool) -> CustodyReport.UplinkDelay {
        var figures = CustodyReport.UplinkDelay()
        var delays: [Double] = []
        let marks = input.acknowledgements
        for event in input.events where inPeriod(event.occurredAt) {
            guard event.sequence <= input.acknowledgedThrough else {
                figures.pending += 1
                continue
            }
            // The first mark at or after the event's sequence.
            var low = 0, high = marks.count
            while low < high {
                let middle = (low + high) / 2
                if marks[middle].throughSequence < event.sequence { low = middle + 1 } else { high = middle }
            }
            if low < marks.count, marks[low].firstSequence <= event.sequence {
                figures.acknowledged += 1
                delays.append(max(0, marks[low].acknowledgedAt - event.occurredAt))
            } else {
                figures.acknowledgedUntimed += 1
            }
        }
        delays.sort()
        figures.p50Seconds = NearestRank.percentile(delays, 0.5)
        figures.p90Seconds = NearestRank.percentile(delays, 0.9)
        figures.maxSeconds = delays.last
        return figures
    }

    static func occupancy(
        doors: [ReportCompartment], occupiedDoors: [Set<Int>], occupiedAtEnd: Set<Int>, grid: LocalTimeGrid
    ) -> [CustodyReport.OccupancyLine] {
        let sizes = ["XS", "S", "M", "L", "XL"]
        let groups = Dictionary(grouping: doors) { "\($0.size)|\($0.temperatureClass)" }
        let ordered = groups.keys.sorted { a, b in
            let (aSize, aClass) = split(a), (bSize, bClass) = split(b)
            let aClassRank = standardClasses.firstIndex(of: aClass) ?? 99, bClassRank = standardClasses.firstIndex(of: bClass) ?? 99
            if aClassRank != bClassRank { return aClassRank < bClassRank }
            return (sizes.firstIndex(of: aSize) ?? 99, aSize) < (sizes.firstIndex(of: bSize) ?? 99, bSize)
        }
        return ordered.map { key in
            let members = Set((groups[key] ?? []).map(\.id))
            let (size, temperatureClass) = split(key)
            var line = CustodyReport.OccupancyLine(size: size, temperatureClass: temperatureClass,
                                                   doors: (groups[key] ?? []).filter(\.inService).count)
            for (day, occupied) in occupiedDoors.enumerated() {
                let count = occupied.intersection(members).count
                if count > line.peakOccupied {
                    line.peakOccupied = count
                    line.peakDate = grid.days[day].date
                }
            }
            line.occupiedAtEnd = occupiedAtEnd.intersection(members).count
            return line
        }
    }

    private static func split(_ key: String) -> (String, String) {
        let parts = key.split(separator: "|", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }
}
