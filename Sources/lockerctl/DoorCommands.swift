import ArgumentParser
import LockerMaintenanceProtocol

// The commands that move latches or change what a door may be used for. Each goes into the audit
// trail with its reason, so the reason is checked here before the daemon is even asked.

/// A reason the audit trail can use: not empty, not just blanks.
private func validateReason(_ reason: String?, for command: String) throws {
    guard let reason, !reason.allSatisfy(\.isWhitespace) else {
        throw ValidationError("\(command) needs --reason TEXT: it is recorded in the audit trail")
    }
}

/// Prints an action's report and fails the command when any door did not do what was asked,
/// so a script that opens a door can trust the exit status.
private func finishAction(_ response: MaintenanceResponse, global: GlobalOptions) throws {
    let report = try MaintenanceSession.report(response.action, named: "action")
    if !global.json {
        TerminalOutput.write(MaintenanceReportRenderer.action(report))
    }
    let undone = report.doors.filter { $0.result != "done" }
    if !undone.isEmpty {
        let doors = undone.map { "\($0.door) \($0.result) (\($0.detail))" }.joined(separator: ", ")
        TerminalOutput.error("not every door did what was asked: \(doors)")
        throw LockerctlExit.failure
    }
}

struct Open: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Release one door's latch.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The door label, e.g. A07.", valueName: "door"))
    var door: String

    @Option(name: .long, help: "Why (recorded in the audit trail).")
    var reason: String

    func validate() throws {
        try validateReason(reason, for: "open")
    }

    func run() throws {
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .open, door: door, reason: reason), options: global)
        try finishAction(response, global: global)
    }
}

struct OpenAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open-all",
        abstract: "Release every door's latch (service visit, emptying the cabinet).",
        discussion: "Every door opens, including those holding parcels: this needs --yes."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Why (recorded in the audit trail).")
    var reason: String

    @Flag(name: .long, help: "Confirm that every door of the cabinet should open.")
    var yes = false

    func validate() throws {
        try validateReason(reason, for: "open-all")
        guard yes else {
            throw ValidationError("open-all opens every door of the cabinet, parcels or not; add --yes to confirm")
        }
    }

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .openAll, reason: reason), options: global)
        try finishAction(response, global: global)
    }
}

struct Quarantine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a door out of service (it is no longer assigned to new parcels)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The door label, e.g. A07.", valueName: "door"))
    var door: String

    @Option(name: .long, help: "Why (recorded in the audit trail and shown in status).")
    var reason: String

    func validate() throws {
        try validateReason(reason, for: "quarantine")
    }

    func run() throws {
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .quarantine, door: door, reason: reason), options: global)
        try finishAction(response, global: global)
    }
}

struct Enable: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Put a quarantined or disabled door back into service.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("The door label, e.g. A07.", valueName: "door"))
    var door: String

    @Option(name: .long, help: "Why (recorded in the audit trail).")
    var reason: String?

    func run() throws {
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .enable, door: door, reason: reason), options: global)
        try finishAction(response, global: global)
    }
}

struct Selftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pulse latches and check that each door's sensor sees it open.",
        discussion: "Without doors, tests every empty door. Doors holding parcels or in use are skipped."
    )

    /// Each door is pulsed and watched in turn, so a whole cabinet takes minutes, not seconds.
    static let defaultTimeoutSeconds = 600

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("Door labels to test (default: every empty door).", valueName: "door"))
    var doors: [String] = []

    @Option(name: .long, help: "Why (recorded in the audit trail).")
    var reason = "selftest"

    func validate() throws {
        try validateReason(reason, for: "selftest")
    }

    func run() throws {
        let request = MaintenanceRequest(command: .selftest, doors: doors.isEmpty ? nil : doors, reason: reason)
        let response = try MaintenanceSession.perform(
            request, options: global, readTimeout: global.readTimeout(default: Self.defaultTimeoutSeconds))
        let results = try MaintenanceSession.report(response.selftest, named: "selftest")
        if !global.json {
            TerminalOutput.write(MaintenanceReportRenderer.selftest(results))
        }
        let failed = results.filter { $0.outcome == "failed" }.map(\.door)
        if !failed.isEmpty {
            TerminalOutput.error("selftest failed for \(failed.joined(separator: ", "))")
            throw LockerctlExit.failure
        }
    }
}
