import ArgumentParser
import LockerMaintenanceProtocol

/// `lockerctl`: the technician's tool. It talks to lockerd over the maintenance socket, one
/// request per invocation, and prints what the daemon answered for a person (or, with `--json`,
/// the raw response line for a script).
///
/// Exit codes (see `LockerctlExit`): 0 ok; 1 the daemon answered with an error, a door did not do
/// what was asked, a selftest door failed, the audit chain is broken or a report does not reconcile; 64 usage; 69 lockerd cannot
/// be reached; 77 not allowed.
@main
struct LockerctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockerctl",
        abstract: "Inspect and maintain a parcel-locker cabinet through lockerd's maintenance socket.",
        discussion: """
            Exit status: 0 ok; 1 lockerd answered with an error, a door did not do what was asked, \
            a selftest door failed, the audit chain is broken, or a report does not reconcile; 64 usage error; 69 lockerd cannot \
            be reached; 77 permission denied (not root or not in lockerd's maintenance group).
            """,
        version: ProductVersion.description,
        subcommands: [
            Status.self, Compartments.self, Parcels.self, Events.self,
            Open.self, OpenAll.self, Quarantine.self, Enable.self, Selftest.self,
            Queue.self, Uplink.self, Lockout.self, Temps.self, Diag.self, Audit.self, Report.self, Metrics.self, Sim.self,
        ]
    )

    // Declared here too so `lockerctl --socket PATH status` works as well as `lockerctl status --socket PATH`.
    @OptionGroup var global: GlobalOptions
}
