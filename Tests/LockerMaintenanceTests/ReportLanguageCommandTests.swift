import Foundation
import LockerMaintenanceProtocol
import Testing

/// `lockerctl report` words its text and CSV in the cabinet's configured language unless
/// `--language` says otherwise, refuses a language it does not know by name, and keeps the JSON
/// neutral; `lockerd report --database` takes `--language` too. The real binaries.
@Suite struct ReportLanguageCommandTests {
    @Test func theReportSpeaksTheCabinetsLanguageUnlessToldOtherwise() throws {
        let daemon = try MaintenanceDaemon(extraConfiguration: #""language": "zh-Hans", "timeZone": "Asia/Shanghai","#)
        defer { daemon.stop() }
        let chinese = daemon.ctl(["report"])
        #expect(chinese.status == 0, "\(chinese.output)\(chinese.error)")
        // lockerctl has no time-zone data: the cabinet's clock comes from the offsets in the report.
        #expect(chinese.output.contains("T00:00:00+0800，生成于"), "\(chinese.output)")
        #expect(chinese.output.hasPrefix("包裹保管报告 maintenance-test，"), "\(chinese.output)")
        #expect(chinese.output.contains("对账：通过"), "\(chinese.output)")

        let english = daemon.ctl(["report", "--language", "en"])
        #expect(english.status == 0 && english.output.contains("RECONCILIATION: PASSED"), "\(english.output)\(english.error)")
        #expect(!english.output.contains("对账"))

        let csv = daemon.ctl(["report", "--csv"])
        // (Reading the output as a String drops its byte-order mark; ReportLabelsTests checks it.)
        #expect(csv.status == 0)
        #expect(csv.output.contains("\r\n对账,期初在柜,存件,取件,回收,期末在柜,期末在柜（包裹表）,平衡\r\n"), "\(csv.output)")

        let unknown = daemon.ctl(["report", "--language", "fr"])
        #expect(unknown.status == 64, "a usage error")
        #expect(unknown.error.contains("unknown report language \"fr\": use en or zh-Hans"), "\(unknown.error)")

        let response = try daemon.json(["report"])
        #expect(response.reportLanguage == "zh-Hans")
        #expect(response.report?.passed == true)

        // The offline report of the same database (read-only beside the running daemon).
        let offline = Self.lockerd(in: daemon.directory, ["report", "--database", daemon.databasePath, "--language", "zh-Hans", "--time-zone", "UTC"])
        #expect(offline.status == 0 && offline.output.contains("对账：通过"), "\(offline.output)\(offline.error)")
        let refused = Self.lockerd(in: daemon.directory, ["report", "--database", daemon.databasePath, "--language", "de"])
        #expect(refused.status == 64 && refused.error.contains("unknown report language \"de\""), "\(refused.error)")
    }

    /// Runs `lockerd ARGS` to its end. Files, not pipes, for the reason `MaintenanceDaemon.ctl` gives.
    static func lockerd(in directory: URL, _ arguments: [String]) -> MaintenanceDaemon.Run {
        let child = Process()
        child.executableURL = MaintenanceDaemon.binaries.appendingPathComponent("lockerd")
        child.arguments = arguments
        let stem = directory.appendingPathComponent("lockerd-\(UUID().uuidString.prefix(8))").path
        _ = FileManager.default.createFile(atPath: stem + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: stem + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: stem + ".out")
            try? FileManager.default.removeItem(atPath: stem + ".err")
        }
        guard let output = FileHandle(forWritingAtPath: stem + ".out"), let error = FileHandle(forWritingAtPath: stem + ".err") else {
            return .init(status: -1, output: "", error: "cannot create output files in \(directory.path)")
        }
        child.standardOutput = output
        child.standardError = error
        child.standardInput = FileHandle.nullDevice
        do { try child.run() } catch { return .init(status: -1, output: "", error: "\(error)") }
        child.waitUntilExit()
        try? output.close()
        try? error.close()
        return .init(status: child.terminationStatus, output: (try? String(contentsOfFile: stem + ".out", encoding: .utf8)) ?? "",
                     error: (try? String(contentsOfFile: stem + ".err", encoding: .utf8)) ?? "")
    }
}
