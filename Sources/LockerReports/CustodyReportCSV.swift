import Foundation

/// A report as CSV for a spreadsheet: UTF-8 with a byte-order mark (without one, spreadsheet
/// programs read UTF-8 as the local code page and Chinese carrier names come out garbled), CRLF
/// line ends (RFC 4180), one section after another, each with its own header row.
public enum CustodyReportCSV {
    public static let byteOrderMark = "\u{FEFF}"

    public static func render(_ report: CustodyReport) -> String {
        let time = ReportTimeText(timeZone: report.period.timeZone)
        var rows: [[String]] = []
        rows.append(["report", "cabinet", "period", "time zone", "from", "to", "passed", "hash chain intact", "events rehashed", "first bad event"])
        rows.append(["custody", report.cabinet, report.period.label, report.period.timeZone, time.instant(report.period.start),
                     time.instant(report.period.end), report.passed ? "yes" : "no", report.chain.intact ? "yes" : "no",
                     "\(report.chain.eventsChecked)", report.chain.firstBadSequence.map(String.init) ?? ""])
        rows.append([])
        if let compaction = report.compaction {
            rows.append(["checkpoint", "compacted through event", "covers until", "deposits before", "pickups before",
                         "retrievals before", "events removed", "period starts before it"])
            rows.append(["#\(compaction.checkpointSequence)", "\(compaction.throughSequence)", time.instant(compaction.coversUntil),
                         "\(compaction.deposits)", "\(compaction.pickups)", "\(compaction.retrievals)", "\(compaction.eventsRemoved)",
                         compaction.overlaps(report.period) ? "yes" : "no"])
            rows.append([])
        }
        rows.append(["reconciliation", "in at start", "deposits", "pickups", "retrievals", "in at end", "table at end", "balanced"])
        for line in report.reconciliation.classes + [report.reconciliation.total] {
            rows.append([line.temperatureClass, "\(line.inAtStart)", "\(line.deposits)", "\(line.pickups)", "\(line.retrievals)",
                         "\(line.inAtEnd)", "\(line.inAtEndPerTable)", line.balanced ? "yes" : "no"])
        }
        rows.append([])
        rows.append(["difference", "tracking number", "table status", "problem", "events"])
        for difference in report.reconciliation.differences {
            rows.append(["\(difference.parcelID)", difference.trackingNumber ?? "", difference.tableStatus, difference.problem,
                         difference.events.map { "#\($0.sequence) \(time.instant($0.occurredAt)) \($0.kind)" }.joined(separator: "; ")])
        }
        rows.append([])
        rows.append(["day", "hours", "deposits", "pickups", "retrievals", "inside at end"])
        for day in report.days {
            rows.append([day.date, "\(day.hours)", "\(day.deposits)", "\(day.pickups)", "\(day.retrievals)", "\(day.inAtEnd)"])
        }
        rows.append([])
        rows.append(["hour of day", "deposits", "pickups", "retrievals"])
        for hour in report.hourOfDay { rows.append(["\(hour.hour)", "\(hour.deposits)", "\(hour.pickups)", "\(hour.retrievals)"]) }
        rows.append([])
        rows.append(["carrier", "deposits", "pickups", "retrievals"])
        for carrier in report.carriers { rows.append([carrier.name, "\(carrier.deposits)", "\(carrier.pickups)", "\(carrier.retrievals)"]) }
        rows.append([])
        rows.append(["courier", "deposits", "retrievals"])
        for courier in report.couriers { rows.append([courier.name, "\(courier.deposits)", "\(courier.retrievals)"]) }
        rows.append([])
        rows.append(["figure", "value"])
        let seconds = { (value: Double?) in value.map { String(Int($0.rounded())) } ?? "" }
        let figures: [(String, String)] = [
            ("dwell parcels", "\(report.dwell.count)"), ("dwell p50 seconds", seconds(report.dwell.p50Seconds)),
            ("dwell p90 seconds", seconds(report.dwell.p90Seconds)), ("dwell max seconds", seconds(report.dwell.maxSeconds)),
            ("overdue flagged", "\(report.overdue.flagged)"), ("overdue retrieved", "\(report.overdue.retrieved)"),
            ("retrieved in batches", "\(report.overdue.retrievedInBatches)"), ("batch retrievals", "\(report.overdue.batchRetrievals)"),
            ("overdue picked up late", "\(report.overdue.pickedUpLate)"), ("overdue inside at end", "\(report.overdue.inAtEnd)"),
            ("keypad lockouts", "\(report.security.keypadLockouts)"),
            ("wrong codes in lockouts", "\(report.security.wrongCodesInLockouts)"),
            ("courier lockouts", "\(report.security.courierLockouts)"),
            ("doors forced open", "\(report.faults.doorsForcedOpen)"), ("doors left open", "\(report.faults.doorsLeftOpen)"),
            ("doors opened unseen", "\(report.faults.doorsOpenedUnseen)"), ("parcels missing", "\(report.faults.parcelsMissing)"),
            ("latch failures", "\(report.faults.latchFailures)"), ("board outages", "\(report.faults.boardOutages)"),
            ("board outage seconds", seconds(report.faults.boardOutageSeconds)),
            ("temperature excursions", "\(report.faults.temperatureExcursions)"), ("probe faults", "\(report.faults.probeFaults)"),
            ("uplink acknowledged", "\(report.uplink.acknowledged)"),
            ("uplink acknowledged untimed", "\(report.uplink.acknowledgedUntimed)"), ("uplink pending", "\(report.uplink.pending)"),
            ("uplink delay p50 seconds", seconds(report.uplink.p50Seconds)),
            ("uplink delay p90 seconds", seconds(report.uplink.p90Seconds)),
            ("uplink delay max seconds", seconds(report.uplink.maxSeconds)),
        ]
        for (name, value) in figures { rows.append([name, value]) }
        rows.append([])
        rows.append(["occupancy size", "class", "doors", "peak occupied", "peak day", "occupied at end"])
        for line in report.occupancy {
            rows.append([line.size, line.temperatureClass, "\(line.doors)", "\(line.peakOccupied)", line.peakDate ?? "", "\(line.occupiedAtEnd)"])
        }
        return byteOrderMark + rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One field: quoted when it holds a comma, quote or line break; a text that a spreadsheet
    /// would run as a formula (=, +, -, @ first: carrier names come from the server) is kept as
    /// text with a leading apostrophe.
    static func field(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first), Double(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
