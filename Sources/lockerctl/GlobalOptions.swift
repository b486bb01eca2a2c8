import ArgumentParser
import FoundationEssentials
import LockerMaintenanceProtocol

/// Options every subcommand accepts: where the daemon is and how to print its answer.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The maintenance socket (default: $LOCKERCTL_SOCKET, else \(MaintenanceProtocol.defaultSocketPath)).",
            valueName: "path"
        )
    )
    var socket: String?

    @Flag(name: .long, help: "Print the raw response line(s) as JSON, for scripts.")
    var json = false

    @Option(
        name: .long,
        help: ArgumentHelp("Seconds to wait for an answer (default 60; selftest 600).", valueName: "seconds")
    )
    var timeout: Int?

    func validate() throws {
        if let timeout, timeout <= 0 {
            throw ValidationError("--timeout must be a positive number of seconds")
        }
        if let socket, socket.isEmpty {
            throw ValidationError("--socket must not be empty")
        }
    }

    /// The command line wins, then the environment (handy on a development machine running a
    /// daemon in ./state), then the path the packaged daemon listens on.
    var socketPath: String {
        if let socket { return socket }
        if let fromEnvironment = ProcessInfo.processInfo.environment["LOCKERCTL_SOCKET"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return MaintenanceProtocol.defaultSocketPath
    }

    /// The read timeout: the one given, else the command's own default.
    func readTimeout(default defaultSeconds: Int = 60) -> Duration {
        .seconds(timeout ?? defaultSeconds)
    }
}
