import Foundation
import LockerReports
import Testing

/// Days, months and hours are the cabinet's local ones, DST days included.
@Suite("Report periods and local time")
struct ReportPeriodTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func aMonthRunsFromLocalMidnightToLocalMidnight() throws {
        let march = try ReportPeriod.month("2024-03", timeZone: berlin)
        // 2024-03-01 00:00 CET = 2024-02-29 23:00 UTC; 2024-04-01 00:00 CEST = 2024-03-31 22:00 UTC.
        #expect(march.start == Date(timeIntervalSince1970: 1_709_247_600))
        #expect(march.end == Date(timeIntervalSince1970: 1_711_922_400))
        #expect(march.end.timeIntervalSince(march.start) == (31 * 24 - 1) * 3_600)
        let october = try ReportPeriod.month("2024-10", timeZone: berlin)
        #expect(october.end.timeIntervalSince(october.start) == (31 * 24 + 1) * 3_600)
    }

    @Test(arguments: [("2024-03-31", 23), ("2024-10-27", 25), ("2024-06-15", 24)])
    func dstDaysAre23And25HoursLong(day: String, hours: Int) throws {
        let period = try ReportPeriod.day(day, timeZone: berlin)
        #expect(period.end.timeIntervalSince(period.start) == Double(hours * 3_600))
        let report = CustodyReportBuilder.build(
            ReportInput(cabinet: "c", events: [], parcels: [], compartments: [], chain: ChainCheck(intact: true, eventsChecked: 0)),
            period: period, now: period.end)
        #expect(report.days.map(\.hours) == [hours])
    }

    @Test func theRepeatedHourOfA25HourDayCountsTwiceInItsHour() throws {
        var script = RecordScript(timeZone: "Europe/Berlin")
        // 2024-10-27: 02:30 CEST (00:30 UTC) and 02:30 CET (01:30 UTC) are both local hour 2.
        let first = 1_729_989_000.0, second = first + 3_600
        script.deposit(at: first, carrier: "SF Express", courier: "1001", door: 0)
        script.deposit(at: second, carrier: "SF Express", courier: "1001", door: 1)
        // 03:30 CET, and 23:59 the same day.
        script.deposit(at: second + 3_600, carrier: "SF Express", courier: "1001", door: 2)
        script.deposit(at: script.at(2024, 10, 27, 23, 59), carrier: "SF Express", courier: "1001", door: 3)
        let period = try ReportPeriod.day("2024-10-27", timeZone: berlin)
        let report = CustodyReportBuilder.build(script.input(now: period.end.timeIntervalSince1970, compartments: []), period: period,
                                                now: period.end)
        #expect(report.hourOfDay[2].deposits == 2)
        #expect(report.hourOfDay[3].deposits == 1)
        #expect(report.hourOfDay[23].deposits == 1)
        #expect(report.days.map(\.deposits) == [4])
    }

    @Test func theSkippedHourOfA23HourDayHasNothing() throws {
        var script = RecordScript(timeZone: "Europe/Berlin")
        // 2024-03-31 01:59 CET is 00:59 UTC; one minute later it is 03:00 CEST.
        let beforeJump = 1_711_846_740.0
        script.deposit(at: beforeJump, carrier: "SF Express", courier: "1001", door: 0)
        script.deposit(at: beforeJump + 60, carrier: "SF Express", courier: "1001", door: 1)
        let period = try ReportPeriod.day("2024-03-31", timeZone: berlin)
        let report = CustodyReportBuilder.build(script.input(now: period.end.timeIntervalSince1970, compartments: []), period: period,
                                                now: period.end)
        #expect(report.hourOfDay[1].deposits == 1)
        #expect(report.hourOfDay[2].deposits == 0)
        #expect(report.hourOfDay[3].deposits == 1)
    }

    @Test func anotherZoneGivesOtherDays() throws {
        // 2024-03-10 is the 23-hour day in New York, not in Berlin.
        let newYork = try ReportPeriod.day("2024-03-10", timeZone: TimeZone(identifier: "America/New_York")!)
        #expect(newYork.end.timeIntervalSince(newYork.start) == 23 * 3_600)
        let shanghai = try ReportPeriod.month("2024-03", timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        #expect(shanghai.start == Date(timeIntervalSince1970: 1_709_222_400))
        #expect(shanghai.end.timeIntervalSince(shanghai.start) == 31 * 24 * 3_600)
    }

    @Test func inclusiveRangesAndBadInput() throws {
        let range = try ReportPeriod.days(from: "2024-03-01", to: "2024-03-15", timeZone: berlin)
        #expect(range.end.timeIntervalSince(range.start) == 15 * 24 * 3_600)
        #expect(range.label == "2024-03-01..2024-03-15")
        #expect(throws: ReportPeriodError.self) { try ReportPeriod.day("2024-02-30", timeZone: berlin) }
        #expect(throws: ReportPeriodError.self) { try ReportPeriod.month("2024-13", timeZone: berlin) }
        #expect(throws: ReportPeriodError.self) { try ReportPeriod.month("March", timeZone: berlin) }
        #expect(throws: ReportPeriodError.self) { try ReportPeriod.days(from: "2024-03-02", to: "2024-03-01", timeZone: berlin) }
    }
}
