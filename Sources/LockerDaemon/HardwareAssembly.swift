public import Foundation
public import LockerDrivers
public import LockerHAL
import LockerInput
public import LockerSimulator
public import Logging
public import LockerSystem

/// Builds the lock boards the configuration names, each the way its `BoardFamily` says:
/// in-process simulated boards, simulated boards behind a pseudo-terminal (real driver), GPIO
/// boards, or real boards on serial devices. Boards on the same
/// device share one `SerialBus` (one transaction at a time on a half-duplex line).
public struct HardwareAssembly: Sendable {
    public var boards: [any LockBoard]
    /// Drivers with their own read or poll loop; the daemon runs each until shutdown.
    public var eventSources: [any HardwareEventSource]
    public var buses: [SerialBus]
    public var firmwareLinks: [SimulatedFirmwareLink]

    /// GPIO boards whose lines are held (released on `stop`).
    public var gpioBoards: [GPIOLockBoard]

    /// Hot-pluggable scanners and keypads, each kept in use across unplugs by its supervisor.
    public var inputs: [InputDeviceSupervisor]
    public let hotplug: HotplugMonitor
    public let inputRegistry: InputDeviceRegistry
    /// The simulated cabinet's HID keypad and scanner (FIFOs), kept open while the daemon runs.
    public var simulatedInputs: [SimulatedInputDevice]

    /// The configured display and buzzer; nil: none configured (see `CabinetFeedback`).
    public var display: (any Display)?
    public var buzzer: (any Buzzer)?
    private var gpioBuzzer: GPIOBuzzer?

    /// A board that cannot be opened (missing chip or device) does not stop the cabinet: it is
    /// built as an `UnavailableLockBoard`, which the controller takes offline with the reason.
    ///
    /// - Parameters:
    ///   - deviceSource: the hotplug layer (libudev on a board); nil: devices are found by path only.
    ///   - cabinet: the simulated cabinet (see `SimulatedWorld`): the in-process boards and the
    ///     physical world behind simulated firmware; nil for a cabinet of real boards only.
    ///   - simulatedInputDirectory: where a fully simulated cabinet without configured scanners or
    ///     keypads gets its HID keypad and scanner stand-ins; nil: none.
    ///   - keypadLoop: the cabinet loop's thread, which reads HID keypads itself (`EvdevKeypad`);
    ///     nil: each keypad gets a reader thread.
    public init(configuration: CabinetConfiguration, cabinet: SimulatedCabinet?, deviceSource: (any PluggedDeviceSource)? = nil,
                simulatedInputDirectory: URL? = nil, keypadLoop: DedicatedThreadExecutor? = nil, logger: Logger) throws {
        boards = []
        eventSources = []
        buses = []
        firmwareLinks = []
        gpioBoards = []
        inputs = []
        simulatedInputs = []
        inputRegistry = InputDeviceRegistry()
        hotplug = HotplugMonitor(source: deviceSource, adapterPaths: configuration.boards.compactMap(\.device), logger: logger)
        // One pseudo-terminal per simulated family, shared by that family's boards (one bus).
        var linkPaths: [CabinetConfiguration.Board.BoardKind: String] = [:]
        for family in BoardFamily.all {
            guard let twin = family.simulatedKind, let makeFirmware = family.makeSimulatedFirmware else { continue }
            let members = configuration.boards.filter { $0.kind == twin.rawValue }
            // Without the simulated cabinet (never built for these kinds) the boards fail to open below.
            guard !members.isEmpty, let cabinet else { continue }
            let link = try SimulatedFirmwareLink(
                cabinet: cabinet, boardAddresses: members.map(\.address),
                setBitMeansOpen: members.first?.setBitMeansOpen ?? true, makeFirmware: makeFirmware)
            firmwareLinks.append(link)
            linkPaths[twin] = link.terminal.subordinatePath
        }
        addInputDevices(configuration: configuration, cabinet: cabinet, simulatedInputDirectory: simulatedInputDirectory, keypadLoop: keypadLoop, logger: logger)
        addFeedback(configuration: configuration, logger: logger)
        func path(of board: CabinetConfiguration.Board) -> String {
            BoardKind(rawValue: board.kind).flatMap { linkPaths[$0] } ?? board.device ?? ""
        }
        // The slowest board on a device sets the bus timing (an 8A reply takes up to ~500 ms): the
        // longest reply timeout and the most retries its boards' families or settings ask for.
        var timingByPath: [String: SerialBus.Timing] = [:]
        for board in configuration.boards {
            guard let family = board.family, case .serial = family.driver else { continue }
            var timing = family.busTiming
            if let timeout = board.replyTimeoutMilliseconds { timing.replyTimeoutMilliseconds = timeout }
            if let retries = board.retries { timing.retries = retries }
            if let known = timingByPath[path(of: board)] {
                timing.replyTimeoutMilliseconds = max(timing.replyTimeoutMilliseconds, known.replyTimeoutMilliseconds)
                timing.retries = max(timing.retries, known.retries)
                timing.interFrameGapMilliseconds = max(timing.interFrameGapMilliseconds, known.interFrameGapMilliseconds)
            }
            timingByPath[path(of: board)] = timing
        }
        var busByPath: [String: SerialBus] = [:]
        func bus(for board: CabinetConfiguration.Board, path: String) -> SerialBus {
            if let existing = busByPath[path] { return existing }
            // A device written tcp://HOST:PORT is a bus unit bridging the same frames over TCP.
            let created = SerialBus(
                endpoint: LinkEndpoint(device: path, baud: board.effectiveBaud, parity: board.effectiveParity,
                                       kernelRS485: board.rs485DirectionControl),
                timing: timingByPath[path] ?? SerialBus.Timing())
            busByPath[path] = created
            buses.append(created)
            return created
        }
        for board in configuration.boards {
            // An unknown kind never passes validation; built as an in-process board all the same.
            let kind = BoardKind(rawValue: board.kind) ?? .simulated
            let family = kind.family ?? .inProcessSimulation
            // Simulated firmware answers to the cabinet's board number.
            let wire = family.isSimulated(kind) ? board.address : board.wireAddress
            do {
                switch family.driver {
                case .inProcessSimulation:
                    if let simulated = cabinet?.board(board.address) { boards.append(simulated) }
                case .gpioLines(let makeDriver):
                    let driver = try makeDriver(board, logger)
                    boards.append(driver)
                    eventSources.append(driver)
                    gpioBoards.append(driver)
                case .serial(let makeDriver):
                    let driver = try makeDriver(board, wire, bus(for: board, path: path(of: board)))
                    let placed: any LockBoard & HeartbeatingEventSource =
                        driver.address == board.address ? driver : ReaddressedLockBoard(cabinetAddress: board.address, inner: driver)
                    boards.append(placed)
                    eventSources.append(placed)
                }
            } catch {
                logger.error("lock board cannot be opened", metadata: ["board.address": "\(board.address)", "error": "\(error)"])
                boards.append(UnavailableLockBoard(address: board.address, channelCount: board.channels, reason: "\(error)"))
            }
        }
    }

    private typealias BoardKind = CabinetConfiguration.Board.BoardKind

    /// Scanners and keypads: hot-pluggable ones get a supervisor each; a matrix keypad is wired in
    /// and runs as an event source.
    private mutating func addInputDevices(configuration: CabinetConfiguration, cabinet: SimulatedCabinet?,
                                          simulatedInputDirectory: URL?, keypadLoop: DedicatedThreadExecutor?, logger: Logger) {
        func selector(device: String?, match: CabinetConfiguration.DeviceMatchEntry?, subsystem: String) -> PluggedDeviceSelector {
            if let device, !device.isEmpty { return PluggedDeviceSelector(.path(device), subsystem: subsystem) }
            let match = match ?? CabinetConfiguration.DeviceMatchEntry(vendor: "", product: "")
            return PluggedDeviceSelector(.usb(vendor: match.vendor, product: match.product, serial: match.serial), subsystem: subsystem)
        }
        let (hotplug, registry) = (self.hotplug, inputRegistry)
        for scanner in configuration.scanners {
            let name = scanner.name
            if scanner.kind == "hid" {
                var overrides: [UInt16: KeyboardLayout.Keys] = [:]
                for (code, characters) in scanner.layout {
                    guard let code = UInt16(code), let plain = characters.first, let shifted = characters.last else { continue }
                    overrides[code] = KeyboardLayout.Keys(plain, shifted)
                }
                let layout = KeyboardLayout.us.with(overrides)
                inputs.append(InputDeviceSupervisor(
                    name: name, kind: "hid scanner", selector: selector(device: scanner.device, match: scanner.match, subsystem: "input"),
                    hotplug: hotplug, registry: registry, logger: logger
                ) { node, opened in EvdevScanner(name: name, path: node, layout: layout, logger: logger, onOpened: opened) })
            } else {
                let baud = scanner.baud
                inputs.append(InputDeviceSupervisor(
                    name: name, kind: "serial scanner", selector: selector(device: scanner.device, match: scanner.match, subsystem: "tty"),
                    hotplug: hotplug, registry: registry, logger: logger
                ) { node, opened in
                    SerialScanner(name: name, configuration: SerialPortConfiguration(path: node, baud: baud), logger: logger, onOpened: opened)
                })
            }
        }
        for keypad in configuration.keypads where keypad.kind == "hid" {
            let name = keypad.name
            inputs.append(InputDeviceSupervisor(
                name: name, kind: "hid keypad", selector: selector(device: keypad.device, match: keypad.match, subsystem: "input"),
                hotplug: hotplug, registry: registry, logger: logger
            ) { node, opened in EvdevKeypad(name: name, path: node, logger: logger, onOpened: opened, readOn: keypadLoop) })
        }
        for keypad in configuration.keypads where keypad.kind == "matrix" {
            guard let matrix = keypad.matrix else { continue }
            let configuration = GPIOMatrixKeypad.Configuration(
                name: keypad.name, chip: matrix.chip, rows: matrix.rows, columns: matrix.columns,
                rowsActiveLow: matrix.activeLow, columnsActiveLow: matrix.activeLow,
                layout: matrix.layout == "4x4" ? .fourByFour : .threeByFour)
            do {
                // Scanned through GPIO lines that stay put: supervised like a board's event loop.
                let driver = try GPIOMatrixKeypad(configuration: configuration)
                registry.register(keypad.name, kind: "matrix keypad", state: .waiting(for: matrix.chip))
                eventSources.append(StatusReportingEventSource(name: keypad.name, node: matrix.chip, inner: driver, registry: registry))
            } catch {
                logger.error("matrix keypad cannot be used", metadata: ["keypad": "\(keypad.name)", "error": "\(error)"])
                registry.register(keypad.name, kind: "matrix keypad", state: .failed(reason: "\(error)"))
            }
        }
        // The simulated cabinet's keypad and scanner are HID stand-ins read by the real evdev
        // readers, so `make run` exercises the path a board's devices take.
        guard let directory = simulatedInputDirectory, let cabinet, configuration.isFullySimulated,
              configuration.scanners.isEmpty, configuration.keypads.isEmpty
        else { return }
        do {
            let keypad = try SimulatedInputDevice(path: directory.appendingPathComponent("sim-keypad.events").path)
            let scanner = try SimulatedInputDevice(path: directory.appendingPathComponent("sim-scanner.events").path)
            inputs.append(InputDeviceSupervisor(
                name: "sim-keypad", kind: "simulated hid keypad", selector: PluggedDeviceSelector(.path(keypad.path), subsystem: "input"),
                hotplug: hotplug, registry: registry, logger: logger
            ) { node, opened in
                EvdevKeypad(name: "sim-keypad", path: node, grab: false, logger: logger, onOutcome: { _ in keypad.outcomeReported() },
                            onOpened: opened)
            })
            inputs.append(InputDeviceSupervisor(
                name: "sim-scanner", kind: "simulated hid scanner", selector: PluggedDeviceSelector(.path(scanner.path), subsystem: "input"),
                hotplug: hotplug, registry: registry, logger: logger
            ) { node, opened in
                EvdevScanner(name: "sim-scanner", path: node, grab: false, logger: logger, onOutcome: { _ in scanner.outcomeReported() },
                             onOpened: opened)
            })
            simulatedInputs = [keypad, scanner]
            cabinet.attach(keypad: keypad, scanner: scanner)
        } catch {
            logger.warning("the simulated keypad and scanner could not be created; presses and scans go straight in",
                           metadata: ["error": "\(error)"])
        }
    }

    /// The display and the buzzer. A buzzer whose line cannot be taken is logged and left out:
    /// the cabinet works without beeps, never without its doors.
    private mutating func addFeedback(configuration: CabinetConfiguration, logger: Logger) {
        if let entry = configuration.display {
            switch entry.kind {
            case "hd44780-i2c":
                let geometry = HD44780Commands.Geometry(columns: entry.columns, rows: entry.rows) ?? .sixteenByTwo
                display = HD44780Display(
                    name: "front display", device: ReopeningI2CDevice(path: entry.bus ?? "", address: UInt8(clamping: entry.address ?? 0x27)),
                    commands: HD44780Commands(geometry: geometry), logger: logger)
            default:
                display = TextFileDisplay(path: entry.path ?? "", logger: logger)
            }
        }
        if let entry = configuration.buzzer {
            do {
                let created = try GPIOBuzzer(name: "buzzer", chip: entry.chip, line: entry.line, activeLow: entry.activeLow, logger: logger)
                gpioBuzzer = created
                buzzer = created
            } catch {
                logger.error("buzzer cannot be used; the cabinet goes on without beeps", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Closes serial lines and stops simulated firmware (shutdown, in reverse order of start).
    public func stop() async {
        // Latches first: nothing may stay energised. Every board is asked for its inert state,
        // then GPIO boards give their lines back.
        for board in boards { await board.releaseAll() }
        for board in gpioBoards { board.close() }
        await gpioBuzzer?.close()
        for bus in buses { await bus.close() }
        for link in firmwareLinks { link.stop() }
    }
}
