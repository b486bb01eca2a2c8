import ArgumentParser
import Foundation
import LockerDaemon
import LockerMaintenanceProtocol
import LockerSystem
import Logging

/// `lockerd`: the cabinet controller daemon (started by `LockerdEntry`).
struct LockerdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockerd",
        abstract: "Controller daemon of a smart parcel-locker cabinet group.",
        discussion: "Without --config it runs the built-in simulated cabinet. With --front-panel the terminal is the cabinet's front panel (type help).",
        version: ProductVersion.description,
        // Without a subcommand lockerd runs the cabinet; `lockerd report` reads a database file.
        subcommands: [OfflineReportCommand.self])

    @Option(help: "Configuration file (JSON). Default: the built-in simulated cabinet.")
    var config: String?

    @Option(help: "Where the database, device key and simulator state live.")
    var stateDirectory: String = ProcessInfo.processInfo.environment["STATE_DIRECTORY"] ?? "/var/lib/lockerd"

    @Flag(help: "Read front-panel commands from standard input.")
    var frontPanel = false

    @Flag(help: "Time moves only with the front panel's wait command.")
    var manualClock = false

    @Flag(help: "Check the configuration and exit.")
    var checkConfig = false

    @Flag(help: "Recovery for a lost device.key: make a new one; the pickup codes of parcels in custody stop working and are recorded as codes.invalidated (see README).")
    var newDeviceKey = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format on standard error: journald (priority prefixes, the default unless standard error is a terminal) or text.")
    var logFormat: String?

    @Option(help: "The maintenance socket lockerctl talks to (overrides the configuration).")
    var maintenanceSocket: String?

    // The simulated cabinet has no configuration file to name its group in, and a machine without
    // the package has no `lockerd-maint`: a developer (or the footprint benchmark, measuring the
    // daemon as the package installs it, its group found in /etc/group) names one that exists.
    @Option(help: "The maintenance group, a name or a gid (overrides the configuration's maintenance.group).")
    var maintenanceGroup: String?

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("unknown log level \"\(logLevel)\": trace, debug, info, notice, warning, error or critical")
        }
        if let logFormat, !["journald", "text"].contains(logFormat) {
            throw ValidationError("unknown log format \"\(logFormat)\": journald or text")
        }
    }

    func run() async throws {
        // Before the daemon's threads start allocating (see MallocArenas for the measurement).
        MallocArenas.limit(to: 2)
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let journald = (logFormat ?? (isatty(2) != 0 ? "text" : "journald")) == "journald"
        let recentLog = RecentLogLines()
        LoggingSystem.bootstrap { label in
            var primary: any LogHandler = journald
                ? JournaldLogHandler(label: label, level: level)
                : StreamLogHandler.standardError(label: label)
            primary.logLevel = level
            // The diagnostics bundle keeps the last lines whatever the format on stderr.
            let kept = JournaldLogHandler(label: label, level: level, write: { recentLog.append($0) })
            return MultiplexLogHandler([primary, kept])
        }
        let logger = Logger(label: "lockerd")
        // Under systemd (Type=notify) every reason not to become ready is also said on STATUS=.
        let supervision = ServiceSupervision(notifier: SystemdNotifier(logger: logger), logger: logger)
        var configuration: CabinetConfiguration
        do {
            configuration = try config.map { try CabinetConfiguration.load(from: URL(fileURLWithPath: $0)) }
                ?? .simulatedDefault
            if let maintenanceGroup { configuration.maintenance.group = maintenanceGroup }
            try configuration.validate()
        } catch {
            FileHandle.standardError.write(Data("lockerd: \(error)\n".utf8))
            supervision.status("not starting: the configuration is invalid: \(error)")
            throw ExitCode(78)  // EX_CONFIG
        }
        if checkConfig {
            print("configuration OK: \(configuration.summary)")
            return
        }
        do {
            try await Daemon.run(
                Daemon.Options(stateDirectory: URL(fileURLWithPath: stateDirectory), configuration: configuration,
                               frontPanel: frontPanel, manualClock: manualClock, maintenanceSocketPath: maintenanceSocket,
                               recentLog: recentLog, supervision: checkConfig ? nil : supervision, newDeviceKey: newDeviceKey),
                logger: logger)
        } catch {
            logger.critical("lockerd cannot run: \(error)")
            supervision.status("not running: \(error)")
            throw ExitCode.failure
        }
    }
}
