import Foundation
import LockerReports
import Testing

/// The sample report and chart README shows are what the code renders for the simulated month:
/// this test compares them, so the README cannot drift from the code. After a deliberate change
/// in the rendering, run it once with LOCKERD_UPDATE_SAMPLES=1 to write them anew, and review the diff.
@Suite("Sample report")
struct SampleReportTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples")

    @Test func theCommittedSampleIsWhatTheCodeRenders() throws {
        let month = SimulatedMonth()
        let report = CustodyReportBuilder.build(
            month.input(), period: try ReportPeriod.month("2024-03", timeZone: TimeZone(identifier: SimulatedMonth.timeZone)!),
            now: Date(timeIntervalSince1970: month.now))
        let samples = [
            ("report-2024-03.txt", CustodyReportText.render(report)),
            ("report-2024-03.csv", CustodyReportCSV.render(report)),
            ("report-2024-03.svg", CustodyReportChart.render(report)),
            ("report-2024-03.zh-Hans.txt", CustodyReportText.render(report, language: .simplifiedChinese)),
            ("report-2024-03.zh-Hans.csv", CustodyReportCSV.render(report, language: .simplifiedChinese)),
            ("report-2024-03.zh-Hans.svg", CustodyReportChart.render(report, language: .simplifiedChinese)),
        ]
        for (name, rendered) in samples {
            let url = Self.directory.appendingPathComponent(name)
            if ProcessInfo.processInfo.environment["LOCKERD_UPDATE_SAMPLES"] == "1" {
                try Data(rendered.utf8).write(to: url)
            }
            // Bytes, not a String: reading text would drop the CSV's byte-order mark.
            let committed = try Data(contentsOf: url)
            #expect(committed == Data(rendered.utf8), "\(name) differs from what the code renders")
        }
    }
}
