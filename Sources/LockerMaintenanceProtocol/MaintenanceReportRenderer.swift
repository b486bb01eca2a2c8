public import FoundationEssentials

/// Turns maintenance reports into text a technician reads on a small terminal in front of the
/// cabinet. Pure functions of the report: no clock, no locale, no environment, so the same report
/// always prints the same text (times are UTC, see `MaintenanceTextFormat`). Where an age is
/// computed, `now` is a parameter.
///
/// The output is for people; scripts use `lockerctl --json`. Raw state and alarm names are kept
/// as the daemon sends them so what a technician reads matches the logs and the documentation;
/// only what needs action is shouted (OVERDUE, OFFLINE, LOCKED, BROKEN).
public enum MaintenanceReportRenderer {
    // MARK: - status

    /// The map of the cabinet: a header, every door, then boards, scanners and probes.
    public static func status(_ report: CabinetStatusReport) -> String {
        var lines: [String] = []
        lines.append(
            "cabinet \(report.cabinetName)  time \(MaintenanceTextFormat.timestamp(report.time))"
                + "  \(keypadText(report.keypadLockedUntil, now: report.time))  \(uplinkText(report.uplink))"
        )
        lines.append("store epoch \(report.storeEpoch), last event #\(report.lastEventSequence)")
        if let error = report.uplink.lastError {
            lines.append("uplink last error: \(error)")
        }
        for alert in report.alerts ?? [] {
            lines.append("ALERT: \(alert)")
        }

        lines.append("")
        lines.append("doors (\(report.doors.count)):")
        lines.append(contentsOf: doorMap(report.doors))
        lines.append("")
        lines.append("boards:")
        if report.boards.isEmpty {
            lines.append("  none configured")
        } else {
            var boards = TextTable([.init("BOARD", .right), .init("KIND"), .init("STATE"), .init("DOORS", .right)])
            for board in report.boards {
                boards.append(["\(board.address)", board.kind, board.online ? "online" : "OFFLINE", "\(board.doors)"])
            }
            lines.append(contentsOf: boards.lines(indent: "  "))
        }
        lines.append("scanners and keypads:")
        lines.append(contentsOf: devices(report.scanners))
        lines.append("probes:")
        lines.append(contentsOf: devices(report.probes))
        return lines.joined(separator: "\n")
    }

    /// The door table of `status`: one line per door with what a technician walks up to it for.
    static func doorMap(_ doors: [DoorReport]) -> [String] {
        if doors.isEmpty { return ["  none configured"] }
        var table = TextTable([
            .init("DOOR"), .init("SIZE"), .init("CLASS"), .init("STATE"), .init("SENSOR"), .init("ITEM"),
            .init("PARCELS", .right), .init("OLDEST", .right), .init("ALARMS"), .init("BOARD/CH"), .init("NOTE"),
        ])
        for door in doors {
            table.append([
                door.label, sizeText(door), door.temperatureClass, stateText(door), sensorText(door),
                itemText(door.itemPresent), "\(door.parcels)", door.oldestParcelSeconds.map(MaintenanceTextFormat.duration(seconds:)) ?? "-",
                alarmsText(door.alarms), "\(door.board)/\(door.channel)", noteText(door),
            ])
        }
        var lines = table.lines(indent: "  ")
        lines.append("  " + doorSummary(doors))
        if doors.contains(where: \.accessible) {
            lines.append("  (* accessible height)")
        }
        return lines
    }

    // MARK: - compartments

    /// Every door with everything the daemon knows about it (the status map plus the recorded door
    /// position, the operation in flight and the latch wear).
    public static func compartments(_ doors: [DoorReport]) -> String {
        if doors.isEmpty { return "no compartments configured" }
        var table = TextTable([
            .init("DOOR"), .init("SIZE"), .init("ACCESSIBLE"), .init("CLASS"), .init("STATE"), .init("PENDING"),
            .init("RECORDED"), .init("SENSOR"), .init("ITEM"), .init("PARCELS", .right), .init("OLDEST", .right),
            .init("ALARMS"), .init("BOARD/CH"), .init("LATCH CYCLES", .right), .init("NOTE"),
        ])
        for door in doors {
            table.append([
                door.label, door.size, door.accessible ? "yes" : "no", door.temperatureClass, door.state,
                door.pending ?? "-", door.recordedOpen ? "open" : "closed", door.sensor, itemText(door.itemPresent),
                "\(door.parcels)", door.oldestParcelSeconds.map(MaintenanceTextFormat.duration(seconds:)) ?? "-",
                alarmsText(door.alarms), "\(door.board)/\(door.channel)", "\(door.latchCycles)", noteText(door),
            ])
        }
        return (table.lines() + [doorSummary(doors)]).joined(separator: "\n")
    }

    // MARK: - parcels

    /// Parcels in custody, the overdue ones marked so they stand out in a long list.
    public static func parcels(_ parcels: [ParcelReport]) -> String {
        if parcels.isEmpty { return "no parcels in custody" }
        var table = TextTable([
            .init("ID", .right), .init("TRACKING"), .init("DOOR"), .init("SIZE"), .init("CLASS"), .init("COURIER"),
            .init("DEPOSITED"), .init("AGE", .right), .init("DEADLINE"), .init("STATUS"),
        ])
        for parcel in parcels {
            table.append([
                "\(parcel.id)", parcel.trackingNumber, parcel.door, parcel.size, parcel.temperatureClass, parcel.courier,
                MaintenanceTextFormat.timestamp(parcel.depositedAt), MaintenanceTextFormat.duration(seconds: parcel.ageSeconds),
                MaintenanceTextFormat.timestamp(parcel.retentionDeadline),
                [parcel.overdue ? "OVERDUE" : "", parcel.codeInvalidated == true ? "CODE INVALIDATED" : ""]
                    .filter { !$0.isEmpty }.joined(separator: ", "),
            ])
        }
        let overdue = parcels.filter(\.overdue).count
        var summary = "\(parcels.count) \(parcels.count == 1 ? "parcel" : "parcels"), \(overdue) OVERDUE"
        let invalidated = parcels.filter { $0.codeInvalidated == true }.count
        if invalidated > 0 { summary += ", \(invalidated) with a CODE INVALIDATED (new code needed from the server)" }
        return (table.lines() + [summary]).joined(separator: "\n")
    }

    // MARK: - events

    /// Events one per line, oldest first as the daemon sends them.
    public static func events(_ events: [EventReport]) -> String {
        if events.isEmpty { return "no events" }
        return events.map(event).joined(separator: "\n")
    }

    /// One event: "#42 2024-03-01T09:30:00Z deposit.committed A07 parcel 17 {...}". A single-line
    /// format (not a table) because `events --follow` prints them one at a time as they happen.
    public static func event(_ event: EventReport) -> String {
        var line = "#\(event.sequence) \(MaintenanceTextFormat.timestamp(event.occurredAt)) \(event.kind) \(event.door ?? "-")"
        if let parcelID = event.parcelID {
            line += " parcel \(parcelID)"
        }
        line += " " + singleLine(event.payload)
        return line
    }

    // MARK: - actions

    /// What an open, open-all, quarantine or enable did to each door, and where it was audited.
    public static func action(_ report: ActionReport) -> String {
        var lines: [String] = []
        if report.doors.isEmpty {
            lines.append("no doors affected")
        } else {
            var table = TextTable([.init("DOOR"), .init("RESULT"), .init("DETAIL")])
            for door in report.doors {
                table.append([door.door, door.result, door.detail])
            }
            lines.append(contentsOf: table.lines())
            lines.append(outcomeSummary(report.doors.map(\.result), order: ["done", "refused", "failed"]))
        }
        if let sequence = report.auditSequence {
            lines.append("audit record #\(sequence)")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - selftest

    /// Per door passed, failed or skipped, and a summary line that says at once whether all is well.
    public static func selftest(_ results: [SelftestResult]) -> String {
        if results.isEmpty { return "selftest: no doors tested" }
        var table = TextTable([.init("DOOR"), .init("RESULT"), .init("DETAIL")])
        for result in results {
            table.append([result.door, result.outcome, result.detail])
        }
        let summary = "selftest: " + outcomeSummary(results.map(\.outcome), order: ["passed", "failed", "skipped"])
        return (table.lines() + [summary]).joined(separator: "\n")
    }

    // MARK: - queue

    /// The store-and-forward queue towards the central server.
    public static func queue(_ report: QueueReport, now: Date) -> String {
        var lines = ["uplink: \(report.state)", "queued events: \(report.depth)"]
        lines.append("oldest unsent: \(report.oldestUnsentAt.map { MaintenanceTextFormat.timestamp($0, relativeTo: now) } ?? "-")")
        lines.append("last success: \(report.lastSuccessAt.map { MaintenanceTextFormat.timestamp($0, relativeTo: now) } ?? "never")")
        if let error = report.lastError {
            lines.append("last error: \(singleLine(error))")
        }
        if let drain = report.estimatedDrainSeconds {
            lines.append("estimated time to drain: \(MaintenanceTextFormat.duration(drain)) (at the recent upload rate)")
        }
        if let since = report.haltedSince {
            lines.append("halted since: \(MaintenanceTextFormat.timestamp(since, relativeTo: now))")
        }
        if let action = report.action {
            lines.append("to do: \(singleLine(action))")
        }
        if let backoff = report.backoffSeconds {
            lines.append("next attempt in: \(MaintenanceTextFormat.duration(backoff))")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - temperatures

    /// Each temperature-controlled zone, its reading against its band, and how fresh the reading is.
    public static func temperatures(_ zones: [TemperatureReport], now: Date) -> String {
        if zones.isEmpty { return "no temperature-controlled zones configured" }
        var table = TextTable([
            .init("ZONE"), .init("TEMP", .right), .init("BAND"), .init("STATE"), .init("RELAY"), .init("DOORS"), .init("SAMPLED"),
        ])
        for zone in zones {
            table.append([
                zone.zone, zone.celsius.map(MaintenanceTextFormat.celsius) ?? "-",
                "\(MaintenanceTextFormat.celsius(zone.lowCelsius)) .. \(MaintenanceTextFormat.celsius(zone.highCelsius))",
                zone.state, zone.relayOn.map { $0 ? "on" : "off" } ?? "-", (zone.doors ?? []).joined(separator: ","),
                zone.sampledAt.map { MaintenanceTextFormat.timestamp($0, relativeTo: now) } ?? "never",
            ])
        }
        var lines = table.lines()
        for zone in zones { if let detail = zone.detail { lines.append("\(zone.zone): \(singleLine(detail))") } }
        return lines.joined(separator: "\n")
    }

    /// A parcel's temperature record: the summary, then one line per segment and excursion, as CSV
    /// so it can be pasted into a spreadsheet for a claim.
    public static func temperatureRecord(_ record: ParcelTemperatureRecord) -> String {
        func time(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
        var lines = [
            "parcel \(record.trackingNumber) in door \(record.door), zone \(record.zone) "
                + "(band \(MaintenanceTextFormat.celsius(record.lowCelsius)) .. \(MaintenanceTextFormat.celsius(record.highCelsius)))",
            "custody: \(time(record.depositedAt)) to \(record.pickedUpAt.map(time) ?? "now (still in the cabinet)")",
            "range: " + (record.minCelsius.map(MaintenanceTextFormat.celsius) ?? "-") + " .. "
                + (record.maxCelsius.map(MaintenanceTextFormat.celsius) ?? "-")
                + ", out of band \(Int(record.secondsOutOfBand)) s, unrecorded \(Int(record.gapSeconds)) s, "
                + "\(record.excursions.count) excursion(s)",
            "start,end,min_celsius,max_celsius,samples",
        ]
        lines += record.segments.map { "\(time($0.start)),\(time($0.end)),\($0.minCelsius),\($0.maxCelsius),\($0.samples)" }
        if !record.excursions.isEmpty {
            lines.append("excursion_start,excursion_end,direction,peak_celsius")
            lines += record.excursions.map { "\(time($0.start)),\($0.end.map(time) ?? ""),\($0.direction),\($0.peakCelsius)" }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: - diagnostics

    /// Where the bundle is (to copy it off the cabinet) and whether the store looked healthy.
    public static func diagnostics(_ report: DiagnosticsReport) -> String {
        var lines = ["diagnostics bundle: \(report.path)"]
        if report.files.isEmpty {
            lines.append("files: none")
        } else {
            lines.append("files:")
            lines.append(contentsOf: report.files.map { "  \($0)" })
        }
        lines.append("integrity: \(singleLine(report.integrity))")
        return lines.joined(separator: "\n")
    }

    // MARK: - audit

    /// "INTACT ..." or "BROKEN at #N: problem" as the first word, so nobody misreads the verdict.
    public static func audit(_ report: AuditReport) -> String {
        let head = "head #\(report.headSequence) hash \(report.headHash)"
        let checked = "\(report.checked) \(report.checked == 1 ? "record" : "records") checked"
        var compaction = ""
        if let checkpoint = report.checkpointSequence, let through = report.compactedThrough {
            compaction = "\nfrom checkpoint #\(checkpoint): events through #\(through) (hash \(report.compactedThroughHash ?? "?")) "
                + "were compacted, \(report.keptBeforeCut ?? 0) kept for parcels still inside or named later"
        }
        if report.intact {
            return "INTACT: \(checked), \(head)\(compaction)"
        }
        let problem = singleLine(report.problem ?? "the chain does not verify")
        let verdict = report.firstBadSequence.map { "BROKEN at #\($0): \(problem)" } ?? "BROKEN: \(problem)"
        return "\(verdict)\n\(checked), \(head)\(compaction)"
    }

    // MARK: - lockout

    /// The keypad first ("keypad LOCKED: 7 wrong codes, 4m left (until ...)" or "keypad open: ..."),
    /// then one line per courier id with wrong PINs counted.
    public static func lockout(_ report: LockoutReport) -> String {
        func line(_ name: String, _ throttle: LockoutReport.Throttle, noun: String) -> String {
            let count = "\(throttle.consecutiveFailures) wrong \(noun)\(throttle.consecutiveFailures == 1 ? "" : "s")"
            guard throttle.secondsLeft > 0 else { return "\(name) open: \(count)" }
            let until = throttle.lockedUntil.map { " (until \(MaintenanceTextFormat.timestamp($0)))" } ?? ""
            return "\(name) LOCKED: \(count), \(MaintenanceTextFormat.duration(seconds: throttle.secondsLeft)) left\(until)"
        }
        var lines = [line("keypad", report.keypad, noun: "code")]
        for courier in report.couriers {
            lines.append(line("courier \(courier.courierID ?? "?")", courier, noun: "PIN"))
        }
        if report.couriers.isEmpty { lines.append("no courier id has wrong PINs counted") }
        if let sequence = report.auditSequence { lines.insert("cleared (audit record #\(sequence)); now:", at: 0) }
        return lines.joined(separator: "\n")
    }

    // MARK: - pieces

    private static func keypadText(_ lockedUntil: Date?, now: Date) -> String {
        guard let lockedUntil, lockedUntil > now else { return "keypad ok" }
        return "keypad LOCKED until \(MaintenanceTextFormat.timestamp(lockedUntil, relativeTo: now))"
    }

    private static func uplinkText(_ queue: QueueReport) -> String {
        "uplink \(queue.state) (\(queue.depth) queued)"
    }

    private static func devices(_ devices: [CabinetStatusReport.Device]) -> [String] {
        if devices.isEmpty { return ["  none configured"] }
        var table = TextTable([.init("NAME"), .init("KIND"), .init("STATE")])
        for device in devices {
            table.append([device.name, device.kind, device.state])
        }
        return table.lines(indent: "  ")
    }

    private static func sizeText(_ door: DoorReport) -> String {
        door.size + (door.accessible ? "*" : "")
    }

    private static func stateText(_ door: DoorReport) -> String {
        let state = door.state == "overdue" ? "OVERDUE" : door.state
        return door.pending.map { "\(state)+\($0)" } ?? state
    }

    /// The sensor reading, and the recorded position too when they disagree: that mismatch is
    /// exactly what a technician is looking for (a door forced or left open, a bad sensor).
    private static func sensorText(_ door: DoorReport) -> String {
        let sensed: Bool? = switch door.sensor {
        case "open": true
        case "closed": false
        default: nil
        }
        guard let sensed, sensed != door.recordedOpen else { return door.sensor }
        return "\(door.sensor) (recorded \(door.recordedOpen ? "open" : "closed"))"
    }

    private static func itemText(_ itemPresent: Bool?) -> String {
        switch itemPresent {
        case true?: "yes"
        case false?: "no"
        case nil: "-"
        }
    }

    private static func alarmsText(_ alarms: [String]) -> String {
        alarms.isEmpty ? "-" : alarms.joined(separator: ",")
    }

    private static func noteText(_ door: DoorReport) -> String {
        door.quarantineReason.map { "quarantined: \(singleLine($0))" } ?? ""
    }

    /// "30 doors: 12 available, 3 occupied, ...; 2 with alarms", states in the order first seen.
    private static func doorSummary(_ doors: [DoorReport]) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for door in doors {
            if counts[door.state] == nil { order.append(door.state) }
            counts[door.state, default: 0] += 1
        }
        let states = order.map { "\(counts[$0]!) \($0 == "overdue" ? "OVERDUE" : $0)" }.joined(separator: ", ")
        let alarmed = doors.filter { !$0.alarms.isEmpty }.count
        return "\(doors.count) \(doors.count == 1 ? "door" : "doors"): \(states); \(alarmed) with alarms"
    }

    /// "3 passed, 1 failed, 0 skipped": the expected outcomes always appear (a zero is information),
    /// anything unexpected is appended so it is never silently dropped.
    private static func outcomeSummary(_ outcomes: [String], order: [String]) -> String {
        var counts: [String: Int] = [:]
        for outcome in outcomes { counts[outcome, default: 0] += 1 }
        let unexpected = counts.keys.filter { !order.contains($0) }.sorted()
        return (order + unexpected).map { "\(counts[$0] ?? 0) \($0)" }.joined(separator: ", ")
    }

    /// Text from the daemon placed on one line: a newline inside a detail would break the layout
    /// and could make a line look like something it is not.
    private static func singleLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
