import ArgumentParser
import FoundationEssentials
import LockerMaintenanceProtocol

struct Diag: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have lockerd write a diagnostics bundle (configuration without secrets, status, recent events and logs, store check).",
        discussion: "lockerd keeps a copy in its state directory; lockerctl writes the files into --output (default: lockerd-diag-TIME in the current directory), so a technician who is not root can copy them off the cabinet."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Directory to write the bundle into (created; must not exist yet).")
    var output: String?

    func run() throws {
        // Writing the bundle checks the whole store: allow more than a status takes.
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .diag), options: global, readTimeout: global.readTimeout(default: 300))
        let report = try MaintenanceSession.report(response.diagnostics, named: "diagnostics")
        var written: String?
        if let contents = report.contents, !contents.isEmpty {
            let stamp = Date().formatted(.iso8601.year().month().day().dateSeparator(.omitted)
                .time(includingFractionalSeconds: false).timeSeparator(.omitted))
            let directory = URL(fileURLWithPath: output ?? "lockerd-diag-\(stamp)")
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                        attributes: [.posixPermissions: 0o700])
                for (name, text) in contents where !name.contains("/") && !name.hasPrefix(".") {
                    try Data(text.utf8).write(to: directory.appendingPathComponent(name))
                }
                written = directory.path
            } catch {
                TerminalOutput.error("cannot write the bundle to \(directory.path): \(error)")
                throw LockerctlExit.failure
            }
        }
        guard !global.json else { return }
        TerminalOutput.write(MaintenanceReportRenderer.diagnostics(report))
        if let written { TerminalOutput.write("written here: \(written)") }
    }
}
