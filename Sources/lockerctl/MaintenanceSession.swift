import ArgumentParser
import LockerMaintenanceProtocol

/// One connection to lockerd for one subcommand: connects, sends, prints the raw line for `--json`,
/// and turns every way of failing into a message on standard error and the right exit status.
/// Subcommands only see successful responses.
struct MaintenanceSession {
    let options: GlobalOptions
    let client: MaintenanceClient

    init(_ options: GlobalOptions, readTimeout: Duration) throws {
        self.options = options
        do {
            client = try MaintenanceClient(socketPath: options.socketPath, readTimeout: readTimeout)
        } catch {
            // A member of the read-only group cannot open the full socket; lockerd's read-only
            // socket beside it (maintenance-ro.sock) answers the commands that only look.
            if case .permissionDenied = error, options.socketPath.hasSuffix(".sock"),
               let readOnly = try? MaintenanceClient(socketPath: String(options.socketPath.dropLast(5)) + "-ro.sock",
                                                     readTimeout: readTimeout)
            {
                client = readOnly
                return
            }
            TerminalOutput.error(error.description)
            throw LockerctlExit.status(for: error)
        }
    }

    /// Connects, sends one request and returns the successful response; closes the connection.
    /// - Parameter echoingJSON: false when the command prints its own JSON for `--json` (a
    ///   filtered response); error answers are echoed regardless.
    static func perform(
        _ request: MaintenanceRequest, options: GlobalOptions, readTimeout: Duration? = nil, echoingJSON: Bool = true
    ) throws -> MaintenanceResponse {
        let session = try MaintenanceSession(options, readTimeout: readTimeout ?? options.readTimeout())
        defer { session.client.close() }
        return try session.send(request, echoingJSON: echoingJSON)
    }

    /// Sends one request; an error answer is reported and ends the command.
    func send(_ request: MaintenanceRequest, echoingJSON: Bool = true) throws -> MaintenanceResponse {
        let response: MaintenanceResponse
        do {
            response = try client.send(request)
        } catch {
            TerminalOutput.error(error.description)
            throw LockerctlExit.status(for: error)
        }
        try accept(response, echoingJSON: echoingJSON)
        return response
    }

    /// The next line after `events.follow`; nil when lockerd closed the stream.
    func nextResponse() throws -> MaintenanceResponse? {
        let response: MaintenanceResponse?
        do {
            response = try client.nextResponse()
        } catch {
            TerminalOutput.error(error.description)
            throw LockerctlExit.status(for: error)
        }
        if let response { try accept(response, echoingJSON: true) }
        return response
    }

    /// Echoes the raw line for `--json` (errors included, so a script sees the code), then ends
    /// the command on an error answer with the daemon's code and message verbatim.
    private func accept(_ response: MaintenanceResponse, echoingJSON: Bool) throws {
        if options.json, echoingJSON || !response.ok, let line = client.lastResponseLine {
            TerminalOutput.write(line)
        }
        guard response.ok else {
            guard let failure = response.error else {
                TerminalOutput.error("lockerd refused the request without saying why")
                throw LockerctlExit.failure
            }
            TerminalOutput.error(failure.description)
            throw LockerctlExit.status(for: failure)
        }
    }

    /// The report a successful response must carry; its absence means lockerd and lockerctl
    /// disagree about the protocol, which is worth saying plainly.
    static func report<Report>(_ report: Report?, named name: String) throws -> Report {
        guard let report else {
            TerminalOutput.error("lockerd answered without the \(name) report (is lockerctl from the same release as lockerd?)")
            throw LockerctlExit.unavailable
        }
        return report
    }
}
