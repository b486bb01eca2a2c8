import Foundation
import LockerMaintenanceProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The daily summary in a real lockerd on the manual clock: the front panel's `wait` carries the
/// cabinet past local midnight, and the day that ended is summarised once, upstream-bound like
/// every event.
@Suite struct DailySummaryProcessTests {
    @Test func theManualClocksWaitPastMidnightSummarisesTheDayOnce() throws {
        let daemon = try MaintenanceDaemon(extraConfiguration: #""timeZone": "Asia/Shanghai","#)
        defer { daemon.stop() }
        let summaries = { () throws -> [EventReport] in
            try #require(try daemon.json(["events", "--limit", "1000"]).events).filter { $0.kind == "report.daily_summary" }
        }
        #expect(try summaries().isEmpty, "the record began today: nothing to summarise yet")
        // To one o'clock of the next local day (Asia/Shanghai is UTC+8 all year), whatever the
        // time of day the test runs at: the first local day ends on the way, and the hour after
        // stays inside the next one.
        let localSeconds = Int(Date().timeIntervalSince1970) + 8 * 3_600
        let toOneOClock = 86_400 - localSeconds % 86_400 + 3_600
        #expect(daemon.ctl(["sim", "wait", "\(toOneOClock)"]).status == 0)
        // The pass runs beside the cabinet loop: wait for it (a real process, no clock to share).
        let deadline = Date().addingTimeInterval(30)
        var found = try summaries()
        while found.isEmpty && Date() < deadline {
            usleep(20_000)
            found = try summaries()
        }
        let summary = try #require(found.first, "no daily summary; the log:\n\(daemon.logText())")
        #expect(summary.payload.contains("\"time_zone\":\"Asia/Shanghai\""), "\(summary.payload)")
        #expect(summary.payload.contains("\"deposits\":0") && summary.payload.contains("\"reconciled\":true"), "\(summary.payload)")
        #expect(found.count == 1)
        // Another hour makes another pass due; it finds the day done.
        #expect(daemon.ctl(["sim", "wait", "3600"]).status == 0)
        #expect(try summaries().count == 1)
    }
}
