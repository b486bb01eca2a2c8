// Built by TrimmedICUDataTests (not by SwiftPM), with LockerReports' sources and
// UplinkRetryAfter.swift, linked twice with the Swift runtime static, once with the toolchain's
// ICU data and once with the trimmed copy lockerd's release link takes. Prints what lockerd's
// calls into ICU answer (time zones by name, their offsets and changes, the Gregorian calendar
// in them, report times, an HTTP date), for every zone ICU knows; the two outputs must be equal.
import Foundation

let instants = [Date(timeIntervalSince1970: 1_767_225_600), Date(timeIntervalSince1970: 1_784_000_000),
                Date(timeIntervalSince1970: 1_000_000_000)]
print("zones", TimeZone.knownTimeZoneIdentifiers.count)
for identifier in TimeZone.knownTimeZoneIdentifiers.sorted() + ["Not/AZone", "UTC", "GMT", "Etc/GMT+5"] {
    guard let zone = TimeZone(identifier: identifier) else {
        print(identifier, "unknown")
        continue
    }
    let offsets = instants.map { String(zone.secondsFromGMT(for: $0)) }.joined(separator: " ")
    var line = "\(identifier) \(zone.identifier) \(offsets)"
    do {
        let month = try ReportPeriod.month("2026-03", timeZone: zone)
        let day = try ReportPeriod.days(from: "2026-10-25", to: "2026-10-26", timeZone: zone)
        line += " \(month.start.timeIntervalSince1970) \(month.end.timeIntervalSince1970) \(day.start.timeIntervalSince1970)"
        line += " \(day.end.timeIntervalSince1970)"
        line += " " + (month.utcOffsets ?? []).map { "\($0.from.timeIntervalSince1970)=\($0.seconds)" }.joined(separator: ",")
        line += " " + ReportTimeText(period: day).instant(day.start.addingTimeInterval(3_600 * 30))
        let grid = LocalTimeGrid(period: day)
        if let cell = grid.locate(day.start.timeIntervalSince1970 + 3_600 * 26) { line += " \(cell.day)/\(cell.hour)" }
    } catch {
        line += " \(error)"
    }
    print(line)
}
let now = Date(timeIntervalSince1970: 1_445_412_000)
for header in ["Wed, 21 Oct 2015 07:28:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", "Thu, 01 Jan 2026 00:00:00 GMT",
               "120", "-3", "Wed, 21 Oct 2015 07:28 GMT", "tomorrow"] {
    print("Retry-After", header, UplinkRetryAfter.seconds(header, now: now).map { String($0) } ?? "unreadable")
}
