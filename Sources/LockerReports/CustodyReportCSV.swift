import FoundationEssentials

/// A report as CSV for a spreadsheet: UTF-8 with a byte-order mark (without one, spreadsheet
/// programs read UTF-8 as the local code page and Chinese carrier names come out garbled), CRLF
/// line ends (RFC 4180), one section after another, each with its own header row.
public enum CustodyReportCSV {
    public static let byteOrderMark = "\u{FEFF}"

    /// Header rows, figure names, classes and yes/no in `language`; numbers, dates (ISO 8601),
    /// event kinds and statuses are the record's own, so a spreadsheet formula reads either language.
    public static func render(_ report: CustodyReport, language: ReportLanguage = .english) -> String {
        let time = ReportTimeText(period: report.period)
        let word = { (label: ReportLabel) in ReportLabels.text(label, in: language) }
        let yesNo = { (value: Bool) in word(value ? .yes : .no) }
        let className = { (name: String) in ReportLabels.temperatureClass(name, in: language) }
        var rows: [[String]] = []
        rows.append([word(.report), word(.cabinet), word(.period), word(.timeZone), word(.from), word(.to), word(.passedColumn),
                     word(.hashChainIntact), word(.eventsRehashed), word(.firstBadEvent)])
        rows.append([word(.custody), report.cabinet, report.period.label, report.period.timeZone, time.instant(report.period.start),
                     time.instant(report.period.end), yesNo(report.passed), yesNo(report.chain.intact),
                     "\(report.chain.eventsChecked)", report.chain.firstBadSequence.map(String.init) ?? ""])
        rows.append([])
        if let compaction = report.compaction {
            rows.append([word(.checkpoint), word(.compactedThroughEvent), word(.coversUntil), word(.depositsBefore), word(.pickupsBefore),
                         word(.retrievalsBefore), word(.eventsRemoved), word(.periodStartsBeforeIt)])
            rows.append(["#\(compaction.checkpointSequence)", "\(compaction.throughSequence)", time.instant(compaction.coversUntil),
                         "\(compaction.deposits)", "\(compaction.pickups)", "\(compaction.retrievals)", "\(compaction.eventsRemoved)",
                         yesNo(compaction.overlaps(report.period))])
            rows.append([])
        }
        rows.append([word(.reconciliation), word(.inAtStart), word(.deposits), word(.pickups), word(.retrievals), word(.inAtEnd),
                     word(.tableAtEnd), word(.balanced)])
        for line in report.reconciliation.classes + [report.reconciliation.total] {
            rows.append([className(line.temperatureClass), "\(line.inAtStart)", "\(line.deposits)", "\(line.pickups)", "\(line.retrievals)",
                         "\(line.inAtEnd)", "\(line.inAtEndPerTable)", yesNo(line.balanced)])
        }
        rows.append([])
        rows.append([word(.difference), word(.trackingNumber), word(.tableStatus), word(.problem), word(.events)])
        for difference in report.reconciliation.differences {
            rows.append(["\(difference.parcelID)", difference.trackingNumber ?? "", difference.tableStatus, difference.problem,
                         difference.events.map { "#\($0.sequence) \(time.instant($0.occurredAt)) \($0.kind)" }.joined(separator: "; ")])
        }
        rows.append([])
        rows.append([word(.day), word(.hours), word(.deposits), word(.pickups), word(.retrievals), word(.insideAtEnd)])
        for day in report.days {
            rows.append([day.date, "\(day.hours)", "\(day.deposits)", "\(day.pickups)", "\(day.retrievals)", "\(day.inAtEnd)"])
        }
        rows.append([])
        rows.append([word(.hourOfDay), word(.deposits), word(.pickups), word(.retrievals)])
        for hour in report.hourOfDay { rows.append(["\(hour.hour)", "\(hour.deposits)", "\(hour.pickups)", "\(hour.retrievals)"]) }
        rows.append([])
        rows.append([word(.carrier), word(.deposits), word(.pickups), word(.retrievals)])
        for carrier in report.carriers { rows.append([carrier.name, "\(carrier.deposits)", "\(carrier.pickups)", "\(carrier.retrievals)"]) }
        rows.append([])
        rows.append([word(.courier), word(.deposits), word(.retrievals)])
        for courier in report.couriers { rows.append([courier.name, "\(courier.deposits)", "\(courier.retrievals)"]) }
        rows.append([])
        rows.append([word(.figure), word(.value)])
        let seconds = { (value: Double?) in value.map { String(Int($0.rounded())) } ?? "" }
        let figures: [(ReportLabel, String)] = [
            (.dwellParcels, "\(report.dwell.count)"), (.dwellP50Seconds, seconds(report.dwell.p50Seconds)),
            (.dwellP90Seconds, seconds(report.dwell.p90Seconds)), (.dwellMaxSeconds, seconds(report.dwell.maxSeconds)),
            (.overdueFlagged, "\(report.overdue.flagged)"), (.overdueRetrieved, "\(report.overdue.retrieved)"),
            (.retrievedInBatches, "\(report.overdue.retrievedInBatches)"), (.batchRetrievals, "\(report.overdue.batchRetrievals)"),
            (.overduePickedUpLate, "\(report.overdue.pickedUpLate)"), (.overdueInsideAtEnd, "\(report.overdue.inAtEnd)"),
            (.keypadLockouts, "\(report.security.keypadLockouts)"),
            (.wrongCodesInLockouts, "\(report.security.wrongCodesInLockouts)"),
            (.courierLockouts, "\(report.security.courierLockouts)"),
            (.doorsForcedOpen, "\(report.faults.doorsForcedOpen)"), (.doorsLeftOpen, "\(report.faults.doorsLeftOpen)"),
            (.doorsOpenedUnseen, "\(report.faults.doorsOpenedUnseen)"), (.parcelsMissing, "\(report.faults.parcelsMissing)"),
            (.latchFailures, "\(report.faults.latchFailures)"), (.boardOutages, "\(report.faults.boardOutages)"),
            (.boardOutageSeconds, seconds(report.faults.boardOutageSeconds)),
            (.temperatureExcursions, "\(report.faults.temperatureExcursions)"), (.probeFaults, "\(report.faults.probeFaults)"),
            (.uplinkAcknowledged, "\(report.uplink.acknowledged)"),
            (.uplinkAcknowledgedUntimed, "\(report.uplink.acknowledgedUntimed)"), (.uplinkPending, "\(report.uplink.pending)"),
            (.uplinkDelayP50Seconds, seconds(report.uplink.p50Seconds)),
            (.uplinkDelayP90Seconds, seconds(report.uplink.p90Seconds)),
            (.uplinkDelayMaxSeconds, seconds(report.uplink.maxSeconds)),
        ]
        for (name, value) in figures { rows.append([word(name), value]) }
        rows.append([])
        rows.append([word(.occupancySize), word(.temperatureClass), word(.doors), word(.peakOccupied), word(.peakDay), word(.occupiedAtEnd)])
        for line in report.occupancy {
            rows.append([line.size, className(line.temperatureClass), "\(line.doors)", "\(line.peakOccupied)", line.peakDate ?? "", "\(line.occupiedAtEnd)"])
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
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
