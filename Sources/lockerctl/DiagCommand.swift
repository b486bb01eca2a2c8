import ArgumentParser
import LockerMaintenanceProtocol

struct Diag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have lockerd write a diagnostics bundle (configuration, store check, logs) and say where."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        // Writing the bundle copies the store and checks it: allow more than a status takes.
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .diag), options: global, readTimeout: global.readTimeout(default: 300))
        guard !global.json else { return }
        TerminalOutput.write(MaintenanceReportRenderer.diagnostics(try MaintenanceSession.report(response.diagnostics, named: "diagnostics")))
    }
}
