import ArgumentParser
import LockerMaintenanceProtocol

/// lockerctl's exit statuses. The sysexits numbers let a script tell "lockerd is down" (retry
/// later, check the service) from "not allowed" (wrong user) from "lockerd said no" (read stderr).
enum LockerctlExit {
    /// lockerd answered with an error, a door did not do what was asked, a selftest door failed,
    /// or the audit chain is broken.
    static let failure = ExitCode(1)
    /// EX_UNAVAILABLE: lockerd cannot be reached or its answer cannot be read.
    static let unavailable = ExitCode(69)
    /// EX_NOPERM: the socket's permissions or the daemon (`forbidden`) refused this user.
    static let noPermission = ExitCode(77)

    static func status(for error: MaintenanceClientError) -> ExitCode {
        if case .permissionDenied = error { return noPermission }
        return unavailable
    }

    static func status(for failure: MaintenanceFailure) -> ExitCode {
        failure.code == .forbidden ? noPermission : LockerctlExit.failure
    }
}
