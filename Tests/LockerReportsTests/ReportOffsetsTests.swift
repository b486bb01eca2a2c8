import Foundation
import Testing
@testable import LockerReports

/// lockerctl has no time-zone data: it shows a report's instants from the offsets lockerd wrote
/// into the period. Shown so, every instant must read exactly as lockerd shows it from the zone's
/// name, across daylight-saving changes, before the period and after it, and after a JSON trip.
@Suite struct ReportOffsetsTests {
    @Test(arguments: ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Lord_Howe", "UTC"])
    func offsetsShowEveryInstantAsTheZoneDoes(zone: String) throws {
        let period = try ReportPeriod.month("2026-03", timeZone: try #require(TimeZone(identifier: zone)))
        let travelled = try JSONDecoder().decode(ReportPeriod.self, from: JSONEncoder().encode(period))
        #expect(travelled == period)
        let named = ReportTimeText(period: period)
        let fromOffsets = ReportTimeText(period: travelled, namedZones: false)
        // Every 20 minutes from 200 days before the period to 20 days after it.
        var instant = period.start.addingTimeInterval(-200 * 86_400)
        var differences: [String] = []
        while instant < period.end.addingTimeInterval(20 * 86_400) {
            if named.instant(instant) != fromOffsets.instant(instant) {
                differences.append("\(named.instant(instant)) shown as \(fromOffsets.instant(instant))")
            }
            instant = instant.addingTimeInterval(1_200)
        }
        #expect(differences.isEmpty, "\(zone): \(differences.prefix(3))")
    }

    @Test func aPeriodWithoutOffsetsShowsUTC() {
        var period = ReportPeriod(start: Date(timeIntervalSince1970: 1_800_000_000), end: Date(timeIntervalSince1970: 1_800_086_400),
                                  timeZone: "Asia/Shanghai", label: "one day")
        #expect(period.utcOffsets?.isEmpty == false)
        period.utcOffsets = nil
        #expect(ReportTimeText(period: period, namedZones: false).instant(period.start) == "2027-01-15T08:00:00Z")
    }
}
