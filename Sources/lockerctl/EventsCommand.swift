import ArgumentParser
import LockerMaintenanceProtocol

struct Events: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The custody and audit log, one event per line.",
        discussion: "With --follow, prints each new event as it is committed until interrupted (Ctrl-C)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Only events after this sequence number.", valueName: "sequence"))
    var after: Int64?

    @Option(name: .long, help: ArgumentHelp("At most this many events (daemon default 100, at most 1000).", valueName: "count"))
    var limit: Int?

    @Flag(name: .long, help: "Keep the connection open and print events as they happen.")
    var follow = false

    func validate() throws {
        if let after, after < 0 { throw ValidationError("--after must not be negative") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        if follow, limit != nil { throw ValidationError("--limit cannot be combined with --follow") }
    }

    func run() throws {
        if follow {
            try followEvents()
            return
        }
        let response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .events, after: after, limit: limit), options: global)
        guard !global.json else { return }
        TerminalOutput.write(MaintenanceReportRenderer.events(try MaintenanceSession.report(response.events, named: "events")))
    }

    /// The subscription's answer is bounded by the read timeout; after it, waiting for the next
    /// event may take hours, so the timeout is lifted.
    private func followEvents() throws {
        let session = try MaintenanceSession(global, readTimeout: global.readTimeout())
        defer { session.client.close() }
        let first = try session.send(MaintenanceRequest(command: .eventsFollow, after: after))
        // A daemon may send the backlog after `after` with its answer; print it before what follows.
        if !global.json, let backlog = first.events, !backlog.isEmpty {
            TerminalOutput.write(MaintenanceReportRenderer.events(backlog))
        }
        do {
            try session.client.setReadTimeout(nil)
        } catch {
            TerminalOutput.error(error.description)
            throw LockerctlExit.status(for: error)
        }
        var lastSequence = first.events?.last?.sequence ?? after
        do {
            while let response = try session.nextResponse() {
                guard let event = response.event else { continue }
                lastSequence = event.sequence
                if !global.json {
                    TerminalOutput.write(MaintenanceReportRenderer.event(event))
                }
            }
            TerminalOutput.error("lockerd closed the event stream on \(global.socketPath)")
            throw LockerctlExit.unavailable
        } catch {
            // The stream has no gaps, so nothing is lost if the technician resumes where it stopped
            // (after lagging behind, or a daemon restart).
            if let lastSequence {
                TerminalOutput.error("to resume without missing events: lockerctl events --follow --after \(lastSequence)")
            }
            throw error
        }
    }
}
