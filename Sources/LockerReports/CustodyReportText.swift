/// A report for a person at a terminal (`lockerctl report`): the verdict first, in capitals when
/// it fails, then each section as an aligned table.
public enum CustodyReportText {
    public static func render(_ report: CustodyReport, language: ReportLanguage = .english) -> String {
        let time = ReportTimeText(period: report.period)
        let say = { (label: ReportLabel, values: [String: String]) in ReportLabels.text(label, in: language, values) }
        let word = { (label: ReportLabel) in ReportLabels.text(label, in: language) }
        let duration = { (seconds: Double?) in ReportTimeText.duration(seconds, in: language) }
        var out: [String] = []
        out.append(say(.title, ["cabinet": report.cabinet, "period": report.period.label, "zone": report.period.timeZone]))
        out.append(say(.span, ["start": time.instant(report.period.start), "end": time.instant(report.period.end),
                               "made": time.instant(report.generatedAt)]))
        out.append("")
        out.append(word(report.passed ? .passed : .failed))
        let chain = report.chain
        let origin = word(report.compaction == nil ? .chainFromFirst : .chainFromCheckpoint)
        out.append(chain.intact
            ? say(.chainIntact, ["count": "\(chain.eventsChecked)", "origin": origin])
            : say(.chainBroken, ["sequence": chain.firstBadSequence.map(String.init) ?? "?", "problem": chain.problem ?? word(.unknown)]))
        if let compaction = report.compaction {
            out.append(say(.compacted, [
                "through": "\(compaction.throughSequence)", "until": time.instant(compaction.coversUntil),
                "checkpoint": "\(compaction.checkpointSequence)", "deposits": "\(compaction.deposits)",
                "pickups": "\(compaction.pickups)", "retrievals": "\(compaction.retrievals)",
            ]))
            if compaction.overlaps(report.period) {
                out.append(say(.compactedOverlap, ["until": time.instant(compaction.coversUntil)]))
            }
        }
        out.append("")
        var balance = [[word(.temperatureClass), word(.inAtStart), "+ " + word(.deposits), "= " + word(.pickups), "+ " + word(.retrievals),
                        "+ " + word(.inAtEnd), word(.tableAtEnd), ""]]
        for line in report.reconciliation.classes + [report.reconciliation.total] {
            balance.append([ReportLabels.temperatureClass(line.temperatureClass, in: language), "\(line.inAtStart)", "\(line.deposits)",
                            "\(line.pickups)", "\(line.retrievals)", "\(line.inAtEnd)", "\(line.inAtEndPerTable)",
                            word(line.balanced ? .balancedMark : .doesNotBalance)])
        }
        out += table(balance)
        let differences = report.reconciliation.differences
        if !differences.isEmpty {
            out.append("")
            out.append(say(.differences, ["count": "\(differences.count)"]))
            for difference in differences {
                out.append("  " + say(.differenceLine, ["parcel": "\(difference.parcelID)", "tracking": difference.trackingNumber ?? "",
                                                        "status": difference.tableStatus, "problem": difference.problem]))
                for event in difference.events {
                    out.append("    #\(event.sequence) \(time.instant(event.occurredAt)) \(event.kind)")
                }
                if difference.events.isEmpty { out.append("    " + word(.noEvents)) }
            }
        }
        out.append("")
        out.append(word(.perDay))
        var days = [[word(.date), word(.hours), word(.deposits), word(.pickups), word(.retrievals), word(.insideAtEnd)]]
        for day in report.days {
            days.append([day.date, "\(day.hours)", "\(day.deposits)", "\(day.pickups)", "\(day.retrievals)", "\(day.inAtEnd)"])
        }
        out += table(days)
        out.append("")
        out.append(word(.perHour))
        let peak = max(1, report.hourOfDay.map { $0.deposits + $0.pickups + $0.retrievals }.max() ?? 1)
        var hours = [[word(.hour), word(.deposits), word(.pickups), word(.retrievals), ""]]
        for hour in report.hourOfDay {
            let total = hour.deposits + hour.pickups + hour.retrievals
            hours.append([hour.hour < 10 ? "0\(hour.hour)" : "\(hour.hour)", "\(hour.deposits)", "\(hour.pickups)", "\(hour.retrievals)",
                          String(repeating: "#", count: (total * 30 + peak - 1) / peak)])
        }
        out += table(hours)
        out.append("")
        out.append(word(.perCarrier))
        out += table([[word(.carrier), word(.deposits), word(.pickups), word(.retrievals)]] + report.carriers.map {
            [$0.name.isEmpty ? word(.notRecorded) : $0.name, "\($0.deposits)", "\($0.pickups)", "\($0.retrievals)"]
        })
        out.append("")
        out.append(word(.perCourier))
        out += table([[word(.courier), word(.deposits), word(.retrievals)]] + report.couriers.map {
            [$0.name.isEmpty ? word(.notRecorded) : $0.name, "\($0.deposits)", "\($0.retrievals)"]
        })
        out.append("")
        let dwell = report.dwell
        out.append(say(.dwellLine, ["count": "\(dwell.count)", "p50": duration(dwell.p50Seconds), "p90": duration(dwell.p90Seconds),
                                    "max": duration(dwell.maxSeconds)]))
        let overdue = report.overdue
        // Batch retrievals are named only where there were some (most months have none).
        let inBatches = overdue.batchRetrievals == 0 ? ""
            : say(overdue.batchRetrievals == 1 ? .inOneBatch : .inBatches,
                  ["parcels": "\(overdue.retrievedInBatches)", "batches": "\(overdue.batchRetrievals)"])
        out.append(say(.overdueLine, ["flagged": "\(overdue.flagged)", "retrieved": "\(overdue.retrieved)", "batches": inBatches,
                                      "late": "\(overdue.pickedUpLate)", "inside": "\(overdue.inAtEnd)"]))
        let security = report.security
        out.append(say(.securityLine, ["keypad": "\(security.keypadLockouts)", "wrong": "\(security.wrongCodesInLockouts)",
                                       "courier": "\(security.courierLockouts)"]))
        let faults = report.faults
        out.append(say(.doorAlarmsLine, ["forced": "\(faults.doorsForcedOpen)", "leftOpen": "\(faults.doorsLeftOpen)",
                                         "unseen": "\(faults.doorsOpenedUnseen)", "missing": "\(faults.parcelsMissing)"]))
        out.append(say(.faultsLine, ["latch": "\(faults.latchFailures)", "outages": "\(faults.boardOutages)",
                                     "outageTime": duration(faults.boardOutageSeconds), "excursions": "\(faults.temperatureExcursions)",
                                     "probes": "\(faults.probeFaults)"]))
        let uplink = report.uplink
        out.append(say(.uplinkLine, ["acknowledged": "\(uplink.acknowledged)", "p50": duration(uplink.p50Seconds),
                                     "p90": duration(uplink.p90Seconds), "max": duration(uplink.maxSeconds),
                                     "untimed": "\(uplink.acknowledgedUntimed)", "pending": "\(uplink.pending)"]))
        out.append("")
        out.append(word(.occupancy))
        out += table([[word(.size), word(.temperatureClass), word(.doors), word(.peak), word(.peakDay), word(.atEnd)]] + report.occupancy.map {
            [$0.size, ReportLabels.temperatureClass($0.temperatureClass, in: language), "\($0.doors)", "\($0.peakOccupied)",
             $0.peakDate ?? "-", "\($0.occupiedAtEnd)"]
        })
        return out.joined(separator: "\n") + "\n"
    }

    /// Left-aligned columns two spaces apart (trailing spaces trimmed), measured in terminal
    /// columns: a Chinese character takes two.
    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? TerminalColumns.width($0[column]) : 0 }.max() ?? 0
        }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += cell + String(repeating: " ", count: column == row.count - 1 ? 0 : widths[column] - TerminalColumns.width(cell) + 2)
            }
            while line.last == " " { line.removeLast() }
            return "  " + line
        }
    }
}
