import ArgumentParser
import Foundation
import LockerDaemon
import LockerReports
import LockerStore

/// `lockerd report --database FILE`: the report of a database copied off a cabinet (or of one
/// whose daemon is stopped), read-only and without a running lockerd. The same computation and
/// the same forms as `lockerctl report`; it lives in lockerd because lockerd already links the
/// database library and lockerctl stays small.
struct OfflineReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reconciliation and figures from a database file, without a running lockerd (exit 1 if it does not reconcile).")

    @Option(help: ArgumentHelp("The database (a copy is fine; it is opened read-only and never migrated).", valueName: "file"))
    var database: String
    @Option(help: ArgumentHelp("The cabinet's configuration, for its name and time zone.", valueName: "file")) var config: String?
    @Option(help: ArgumentHelp("The IANA time zone of days and hours (default: the configuration's, else the system's).",
                               valueName: "name")) var timeZone: String?
    @Option(help: ArgumentHelp("One local day.", valueName: "YYYY-MM-DD")) var day: String?
    @Option(help: ArgumentHelp("One local month.", valueName: "YYYY-MM")) var month: String?
    @Option(help: ArgumentHelp("The first day of a range.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(help: ArgumentHelp("The last day of a range (included).", valueName: "YYYY-MM-DD")) var to: String?
    @Flag(help: "CSV (UTF-8 with a byte-order mark, for spreadsheets) instead of text.") var csv = false
    @Flag(help: "The report as one JSON object (the maintenance protocol's form).") var json = false
    @Option(help: ArgumentHelp("Also write an SVG chart of the daily volumes and the hourly profile here.", valueName: "file"))
    var chart: String?
    @Option(help: ArgumentHelp("The language of the text, CSV and chart: en or zh-Hans (default: the configuration's, else English).",
                               valueName: "name"))
    var language: String?

    func validate() throws {
        if let language {
            do { _ = try ReportLanguage.named(language) } catch { throw ValidationError(error.description) }
        }
        if csv && json { throw ValidationError("--csv and --json: choose one") }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw ValidationError("unknown time zone \"\(timeZone)\": use an IANA name such as Asia/Shanghai")
        }
        guard FileManager.default.isReadableFile(atPath: database) else { throw ValidationError("cannot read \(database)") }
    }

    func run() throws {
        let configuration = try config.map { try CabinetConfiguration.load(from: URL(fileURLWithPath: $0)) }
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? configuration?.reportTimeZone ?? .current
        let now = Date()
        let period: ReportPeriod
        do {
            period = try ReportPeriod.requested(day: day, month: month, from: from, to: to, timeZone: zone, now: now)
        } catch {
            throw ValidationError(error.description)
        }
        let words = language.flatMap(ReportLanguage.init(rawValue:))
            ?? configuration.flatMap { ReportLanguage(rawValue: $0.language) } ?? .english
        let cabinet = configuration?.cabinetID ?? URL(fileURLWithPath: database).lastPathComponent
        let report = CustodyReportBuilder.build(
            try CabinetStore.reportInput(databaseAt: database, cabinet: cabinet, period: period), period: period, now: now)
        let output: String
        if csv {
            output = CustodyReportCSV.render(report, language: words)
        } else if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            output = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        } else {
            output = CustodyReportText.render(report, language: words)
        }
        FileHandle.standardOutput.write(Data(output.utf8))
        if let chart { try Data(CustodyReportChart.render(report, language: words).utf8).write(to: URL(fileURLWithPath: chart)) }
        if !report.passed {
            FileHandle.standardError.write(Data("lockerd report: the report does NOT reconcile\n".utf8))
            throw ExitCode.failure
        }
    }
}
