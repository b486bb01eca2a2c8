public import Foundation
public import Logging
import LockerCore
import LockerHAL
import LockerSimulator
import LockerStore
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's short, ordered main: configuration → state directory → store → device key →
/// hardware → controller → run → stop, in that order and torn down in reverse.
public enum Daemon {
    public struct Options: Sendable {
        public var stateDirectory: URL
        public var configuration: CabinetConfiguration
        /// Read front-panel commands from standard input (the simulated cabinet only).
        public var frontPanel: Bool
        /// Time moves only with the front panel's `wait` (scripted sessions, tests).
        public var manualClock: Bool

        public init(stateDirectory: URL, configuration: CabinetConfiguration, frontPanel: Bool, manualClock: Bool) {
            self.stateDirectory = stateDirectory
            self.configuration = configuration
            self.frontPanel = frontPanel
            self.manualClock = manualClock
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func run(_ options: Options, logger: Logger) async throws {
        let configuration = options.configuration
        try configuration.validate()
        let directory = options.stateDirectory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StartError(description: "cannot create state directory \(directory.path): \(error.localizedDescription)")
        }
        let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let key = try DeviceKey.loadOrCreate(at: directory.appendingPathComponent("device.key"))
        let output = FrontPanelOutput()
        let manualClock = options.manualClock ? ManualCabinetClock(start: Date()) : nil
        let clock: any CabinetClock = manualClock ?? SystemCabinetClock()

        let cabinet = SimulatedCabinet(
            boards: configuration.boards.map {
                SimulatedCabinet.BoardSpec(address: $0.address, channelCount: $0.channels, hasItemSensors: $0.hasItemSensors)
            },
            stateFile: directory.appendingPathComponent("simulated-cabinet.json"),
            output: { output.line($0) })
        let hardware = try HardwareAssembly(configuration: configuration, cabinet: cabinet, logger: logger)
        let controller = try CabinetController(
            configuration: configuration, store: store, clock: clock, hasher: HMACPickupCodeHasher(key: key),
            boards: hardware.boards,
            display: cabinet.display, buzzer: cabinet.buzzer, lights: cabinet.lights, logger: logger)
        controller.onEvent = { event in
            var line = "event #\(event.sequence) \(event.kind)"
            if let id = event.compartmentID, configuration.compartments.indices.contains(id) {
                line += " \(configuration.compartments[id].label)"
            }
            output.line(line)
        }
        logger.info("lockerd starting", metadata: [
            "state.directory": "\(directory.path)", "store.epoch": "\(store.epoch)",
            "cabinet.compartments": "\(configuration.compartments.count)",
        ])

        let inbox = CabinetInbox()
        let signals = installShutdownSignals(inbox: inbox, logger: logger)
        defer { signals.forEach { $0.cancel() } }

        // The simulated hardware's event loop is not cancelled but finished, after the controller
        // stopped, so that nothing waiting on it is left hanging.
        let hardwareEvents = Task { await cabinet.events.run(delivering: inbox) }
        await withTaskGroup(of: Void.self) { group in
            for source in hardware.eventSources {
                group.addTask { await EventSourceSupervisor.run(source, delivering: inbox) }
            }
            if manualClock == nil {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(250))
                        await inbox.tick()
                    }
                }
            }
            if options.frontPanel {
                let panel = FrontPanel(cabinet: cabinet, inbox: inbox, configuration: configuration, clock: clock,
                                       manualClock: manualClock, output: output)
                let echo = isatty(0) == 0
                group.addTask {
                    output.line("lockerd: simulated cabinet with \(configuration.compartments.count) doors. Type help for the commands.")
                    for await line in standardInputLines() {
                        if echo { output.line("> \(line)") }
                        if await !panel.run(line: line) { break }
                    }
                    inbox.finish()
                }
            }
            await inbox.run(controller)
            cabinet.events.finish()
            group.cancelAll()
        }
        await hardwareEvents.value
        await hardware.stop()
        logger.info("lockerd stopped")
    }

    /// Standard input, line by line, read on its own thread (a blocking read must not hold one of
    /// the few cooperative threads).
    static func standardInputLines() -> AsyncStream<String> {
        AsyncStream { continuation in
            let thread = Thread {
                while let line = readLine(strippingNewline: true) { continuation.yield(line) }
                continuation.finish()
            }
            thread.start()
        }
    }

    /// SIGTERM and SIGINT only request shutdown: the loop finishes the input in hand and returns.
    static func installShutdownSignals(inbox: CabinetInbox, logger: Logger) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                logger.notice("shutdown requested", metadata: ["signal": "\(number)"])
                inbox.finish()
            }
            source.resume()
            return source
        }
    }
}
