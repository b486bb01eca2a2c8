import ArgumentParser
import LockerMaintenanceProtocol

struct Uplink: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The upload to the central server (see `lockerctl queue` for its state).",
        subcommands: [Resume.self]
    )

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send again after people resolved the conflict that halted the upload (recorded in the audit trail)."
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "How the conflict was resolved (recorded in the audit trail).")
        var reason: String

        func validate() throws {
            guard !reason.allSatisfy(\.isWhitespace) else {
                throw ValidationError("uplink resume needs --reason TEXT: it is recorded in the audit trail")
            }
        }

        func run() throws {
            let response = try MaintenanceSession.perform(MaintenanceRequest(command: .uplinkResume, reason: reason), options: global)
            guard !global.json else { return }
            let report = try MaintenanceSession.report(response.action, named: "action")
            TerminalOutput.write("upload resumed" + (report.auditSequence.map { " (audit record #\($0))" } ?? ""))
        }
    }
}
