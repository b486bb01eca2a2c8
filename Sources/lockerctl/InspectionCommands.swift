import ArgumentParser
import FoundationEssentials
import LockerMaintenanceProtocol

// The read-only commands: they look at the cabinet and never move a latch (the read-only
// maintenance group may use them all).

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The map of the cabinet: every door, its state, sensor, parcels and alarms; boards, scanners, probes."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .status), options: global)
        guard !global.json else { return }
        TerminalOutput.write(MaintenanceReportRenderer.status(try MaintenanceSession.report(response.status, named: "status")))
    }
}

struct Compartments: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every compartment in detail, including the recorded door position, pending operation and latch wear."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .compartments), options: global)
        guard !global.json else { return }
        let doors = try MaintenanceSession.report(response.compartments, named: "compartments")
        TerminalOutput.write(MaintenanceReportRenderer.compartments(doors))
    }
}

struct Parcels: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The parcels in custody; overdue ones are marked.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Only the overdue parcels (the ones a courier should retrieve).")
    var overdue = false

    func run() throws {
        // The daemon sends every parcel; --overdue filters here, so for --json the filtered
        // response is re-encoded instead of echoing the daemon's line.
        var response = try MaintenanceSession.perform(
            MaintenanceRequest(command: .parcels), options: global, echoingJSON: !overdue)
        var parcels = try MaintenanceSession.report(response.parcels, named: "parcels")
        if overdue {
            parcels = parcels.filter(\.overdue)
            response.parcels = parcels
        }
        if global.json {
            if overdue { TerminalOutput.write(try MaintenanceProtocol.line(response)) }
            return
        }
        if overdue, parcels.isEmpty {
            TerminalOutput.write("no overdue parcels")
            return
        }
        TerminalOutput.write(MaintenanceReportRenderer.parcels(parcels))
    }
}

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The queue of events waiting for the central server.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .queue), options: global)
        guard !global.json else { return }
        let queue = try MaintenanceSession.report(response.queue, named: "queue")
        TerminalOutput.write(MaintenanceReportRenderer.queue(queue, now: Date()))
    }
}

struct Temps: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Temperature-controlled zones: reading, band, state and relay; or one parcel's whole temperature record.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "A parcel's tracking number: print its temperature record from deposit to pickup (CSV lines).")
    var parcel: String?

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .temps, parcel: parcel), options: global)
        guard !global.json else { return }
        if parcel != nil {
            let record = try MaintenanceSession.report(response.temperatureRecord, named: "temperature record")
            TerminalOutput.write(MaintenanceReportRenderer.temperatureRecord(record))
            return
        }
        let zones = try MaintenanceSession.report(response.temperatures, named: "temperatures")
        TerminalOutput.write(MaintenanceReportRenderer.temperatures(zones, now: Date()))
    }
}

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The daemon's metrics in the Prometheus text format.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let response = try MaintenanceSession.perform(MaintenanceRequest(command: .metrics), options: global)
        guard !global.json else { return }
        TerminalOutput.write(try MaintenanceSession.report(response.metrics, named: "metrics"))
    }
}
