import ArgumentParser
import LockerMaintenanceProtocol

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The hash-chained custody and audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no record was modified, removed or reordered (exit 1 if the chain is broken)."
        )

        @OptionGroup var global: GlobalOptions

        func run() throws {
            // The whole log is rehashed: on a large store this takes longer than a status.
            let response = try MaintenanceSession.perform(
                MaintenanceRequest(command: .auditVerify), options: global, readTimeout: global.readTimeout(default: 300))
            let report = try MaintenanceSession.report(response.audit, named: "audit")
            if !global.json {
                TerminalOutput.write(MaintenanceReportRenderer.audit(report))
            }
            if !report.intact {
                let at = report.firstBadSequence.map { " at #\($0)" } ?? ""
                TerminalOutput.error("the audit chain is BROKEN\(at)")
                throw LockerctlExit.failure
            }
        }
    }
}
