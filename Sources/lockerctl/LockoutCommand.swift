import ArgumentParser
import LockerMaintenanceProtocol

/// `lockerctl lockout` shows the keypad's wrong-code lockout and the courier PIN throttles;
/// `lockerctl lockout clear --reason ...` clears them all (recorded in the audit trail).
struct Lockout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The keypad's wrong-code lockout and the courier PIN throttles: show them, or clear them.",
        subcommands: [Show.self, Clear.self],
        defaultSubcommand: Show.self
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wrong codes counted, and until when the keypad (and each courier id) is locked."
        )

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let response = try MaintenanceSession.perform(MaintenanceRequest(command: .lockout), options: global)
            guard !global.json else { return }
            TerminalOutput.write(MaintenanceReportRenderer.lockout(try MaintenanceSession.report(response.lockout, named: "lockout")))
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget the keypad's wrong codes and every courier throttle (recorded in the audit trail)."
        )

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: "Why the lockout is cleared (recorded in the audit trail).")
        var reason: String

        func validate() throws {
            guard !reason.allSatisfy(\.isWhitespace) else {
                throw ValidationError("lockout clear needs --reason TEXT: it is recorded in the audit trail")
            }
        }

        func run() throws {
            let response = try MaintenanceSession.perform(MaintenanceRequest(command: .lockoutClear, reason: reason), options: global)
            guard !global.json else { return }
            TerminalOutput.write(MaintenanceReportRenderer.lockout(try MaintenanceSession.report(response.lockout, named: "lockout")))
        }
    }
}
