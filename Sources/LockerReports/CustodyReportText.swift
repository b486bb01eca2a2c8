/// A report for a person at a terminal (`lockerctl report`): the verdict first, in capitals when
/// it fails, then each section as an aligned table.
public enum CustodyReportText {
    public static func render(_ report: CustodyReport) -> String {
        let time = ReportTimeText(timeZone: report.period.timeZone)
        var out: [String] = []
        out.append("Custody report \(report.cabinet), \(report.period.label) (\(report.period.timeZone))")
        out.append("from \(time.instant(report.period.start)) to \(time.instant(report.period.end)), made \(time.instant(report.generatedAt))")
        out.append("")
        out.append(report.passed ? "RECONCILIATION: PASSED (every parcel accounted for, the record is whole)"
                                 : "RECONCILIATION: FAILED, see below")
        let chain = report.chain
        out.append(chain.intact
            ? "hash chain: verified for the period (\(chain.eventsChecked) events rehashed from \(report.compaction == nil ? "the first" : "the checkpoint"), intact)"
            : "hash chain: BROKEN at #\(chain.firstBadSequence.map(String.init) ?? "?"): \(chain.problem ?? "unknown")")
        if let compaction = report.compaction {
            out.append("compacted: events through #\(compaction.throughSequence) (until \(time.instant(compaction.coversUntil))) were removed "
                       + "behind checkpoint #\(compaction.checkpointSequence), which the chain covers; before it the record held "
                       + "\(compaction.deposits) deposits, \(compaction.pickups) pickups, \(compaction.retrievals) retrievals")
            if compaction.overlaps(report.period) {
                out.append("NOTE: the period starts before the checkpoint: its figures before \(time.instant(compaction.coversUntil)) are incomplete")
            }
        }
        out.append("")
        var balance = [["class", "in at start", "+ deposits", "= pickups", "+ retrievals", "+ in at end", "table at end", ""]]
        for line in report.reconciliation.classes + [report.reconciliation.total] {
            balance.append([line.temperatureClass, "\(line.inAtStart)", "\(line.deposits)", "\(line.pickups)", "\(line.retrievals)",
                            "\(line.inAtEnd)", "\(line.inAtEndPerTable)", line.balanced ? "ok" : "DOES NOT BALANCE"])
        }
        out += table(balance)
        let differences = report.reconciliation.differences
        if !differences.isEmpty {
            out.append("")
            out.append("DIFFERENCES (\(differences.count) parcels):")
            for difference in differences {
                out.append("  parcel \(difference.parcelID) \(difference.trackingNumber ?? "") (table: \(difference.tableStatus)): \(difference.problem)")
                for event in difference.events {
                    out.append("    #\(event.sequence) \(time.instant(event.occurredAt)) \(event.kind)")
                }
                if difference.events.isEmpty { out.append("    (no events)") }
            }
        }
        out.append("")
        out.append("Per day")
        var days = [["date", "hours", "deposits", "pickups", "retrievals", "inside at end"]]
        for day in report.days {
            days.append([day.date, "\(day.hours)", "\(day.deposits)", "\(day.pickups)", "\(day.retrievals)", "\(day.inAtEnd)"])
        }
        out += table(days)
        out.append("")
        out.append("Per hour of day (local)")
        let peak = max(1, report.hourOfDay.map { $0.deposits + $0.pickups + $0.retrievals }.max() ?? 1)
        var hours = [["hour", "deposits", "pickups", "retrievals", ""]]
        for hour in report.hourOfDay {
            let total = hour.deposits + hour.pickups + hour.retrievals
            hours.append([hour.hour < 10 ? "0\(hour.hour)" : "\(hour.hour)", "\(hour.deposits)", "\(hour.pickups)", "\(hour.retrievals)",
                          String(repeating: "#", count: (total * 30 + peak - 1) / peak)])
        }
        out += table(hours)
        out.append("")
        out.append("Per carrier")
        out += table([["carrier", "deposits", "pickups", "retrievals"]] + report.carriers.map {
            [$0.name.isEmpty ? "(not recorded)" : $0.name, "\($0.deposits)", "\($0.pickups)", "\($0.retrievals)"]
        })
        out.append("")
        out.append("Per courier")
        out += table([["courier", "deposits", "retrievals"]] + report.couriers.map {
            [$0.name.isEmpty ? "(not recorded)" : $0.name, "\($0.deposits)", "\($0.retrievals)"]
        })
        out.append("")
        let dwell = report.dwell
        out.append("Dwell time of the \(dwell.count) parcels that left: p50 \(ReportTimeText.duration(dwell.p50Seconds)), "
                   + "p90 \(ReportTimeText.duration(dwell.p90Seconds)), max \(ReportTimeText.duration(dwell.maxSeconds))")
        let overdue = report.overdue
        // Batch retrievals are named only where there were some (most months have none).
        let inBatches = overdue.batchRetrievals == 0 ? ""
            : " (\(overdue.retrievedInBatches) in \(overdue.batchRetrievals) batch retrieval\(overdue.batchRetrievals == 1 ? "" : "s"))"
        out.append("Overdue: \(overdue.flagged) flagged, \(overdue.retrieved) retrieved\(inBatches), \(overdue.pickedUpLate) picked up late, "
                   + "\(overdue.inAtEnd) still inside at the end")
        let security = report.security
        out.append("Keypad lockouts: \(security.keypadLockouts) (after \(security.wrongCodesInLockouts) wrong codes); "
                   + "courier lockouts: \(security.courierLockouts)")
        let faults = report.faults
        out.append("Door alarms: \(faults.doorsForcedOpen) forced open, \(faults.doorsLeftOpen) left open, "
                   + "\(faults.doorsOpenedUnseen) opened unseen, \(faults.parcelsMissing) parcels missing")
        out.append("Latch failures: \(faults.latchFailures); board outages: \(faults.boardOutages) "
                   + "(\(ReportTimeText.duration(faults.boardOutageSeconds)) in the period); temperature excursions: "
                   + "\(faults.temperatureExcursions); probe faults: \(faults.probeFaults)")
        let uplink = report.uplink
        out.append("Uplink: \(uplink.acknowledged) events acknowledged, delay p50 \(ReportTimeText.duration(uplink.p50Seconds)), "
                   + "p90 \(ReportTimeText.duration(uplink.p90Seconds)), max \(ReportTimeText.duration(uplink.maxSeconds)); "
                   + "\(uplink.acknowledgedUntimed) acknowledged before times were kept; \(uplink.pending) not yet acknowledged")
        out.append("")
        out.append("Occupancy (doors holding parcels at a day's end)")
        out += table([["size", "class", "doors", "peak", "peak day", "at end"]] + report.occupancy.map {
            [$0.size, $0.temperatureClass, "\($0.doors)", "\($0.peakOccupied)", $0.peakDate ?? "-", "\($0.occupiedAtEnd)"]
        })
        return out.joined(separator: "\n") + "\n"
    }

    /// Left-aligned columns two spaces apart (trailing spaces trimmed).
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += cell + String(repeating: " ", count: column == row.count - 1 ? 0 : widths[column] - cell.count + 2)
            }
            while line.last == " " { line.removeLast() }
            return "  " + line
        }
    }
}
