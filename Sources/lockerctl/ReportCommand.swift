import ArgumentParser
import FoundationEssentials
import LockerMaintenanceProtocol
import LockerReports

/// `lockerctl report`: reconciliation and the station's figures, computed by lockerd from its
/// store in the cabinet's time zone. Exit 1 when the record does not reconcile, so a cron job or
/// a script notices without reading the text.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconciliation and figures for a day, a month or a range of days (exit 1 if it does not reconcile).",
        discussion: """
            Days, months and hours are the cabinet's (configuration key timeZone). Without a period: \
            the month so far. The whole hash chain is rehashed, which takes a moment on a large store. \
            For a database copied off a cabinet, use `lockerd report --database FILE`.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("One local day.", valueName: "YYYY-MM-DD")) var day: String?
    @Option(help: ArgumentHelp("One local month.", valueName: "YYYY-MM")) var month: String?
    @Option(help: ArgumentHelp("The first day of a range.", valueName: "YYYY-MM-DD")) var from: String?
    @Option(help: ArgumentHelp("The last day of a range (included).", valueName: "YYYY-MM-DD")) var to: String?
    @Flag(help: "CSV (UTF-8 with a byte-order mark, for spreadsheets) instead of text.") var csv = false
    @Option(help: ArgumentHelp("Also write an SVG chart of the daily volumes and the hourly profile here.", valueName: "file"))
    var chart: String?
    @Option(help: ArgumentHelp("The language of the text, CSV and chart: en or zh-Hans (default: the cabinet's configured language).",
                               valueName: "name"))
    var language: String?

    func validate() throws {
        if csv && global.json { throw ValidationError("--csv and --json: choose one") }
        if let language {
            do { _ = try ReportLanguage.named(language) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        var request = MaintenanceRequest(command: .report)
        request.day = day
        request.month = month
        request.from = from
        request.to = to
        let response = try MaintenanceSession.perform(request, options: global, readTimeout: global.readTimeout(default: 300))
        let report = try MaintenanceSession.report(response.report, named: "report")
        // Asked for, else the cabinet's; a daemon from before languages (or one configured with a
        // language reports do not know) gets English.
        let words = language.flatMap(ReportLanguage.init(rawValue:))
            ?? response.reportLanguage.flatMap(ReportLanguage.init(rawValue:)) ?? .english
        if csv {
            TerminalOutput.write(CustodyReportCSV.render(report, language: words))
        } else if !global.json {
            TerminalOutput.write(CustodyReportText.render(report, language: words))
        }
        if let chart {
            do {
                try Data(CustodyReportChart.render(report, language: words).utf8).write(to: URL(fileURLWithPath: chart))
            } catch {
                TerminalOutput.error("cannot write the chart to \(chart): \(error)")
                throw LockerctlExit.failure
            }
        }
        if !report.passed {
            TerminalOutput.error("the report does NOT reconcile (\(report.reconciliation.differences.count) parcels differ; "
                                 + "hash chain \(report.chain.intact ? "intact" : "BROKEN"))")
            throw LockerctlExit.failure
        }
    }
}
