public import LockerDrivers
public import LockerHAL
public import LockerSimulator
public import Logging

/// Builds the lock boards the configuration names: in-process simulated boards, simulated boards
/// behind a pseudo-terminal (real driver), or real boards on serial devices. Boards on the same
/// device share one `SerialBus` (one transaction at a time on a half-duplex line).
public struct HardwareAssembly: Sendable {
    public var boards: [any LockBoard]
    /// Drivers with their own read or poll loop; the daemon runs each until shutdown.
    public var eventSources: [any HardwareEventSource]
    public var buses: [SerialBus]
    public var firmwareLinks: [SimulatedFirmwareLink]

    /// GPIO boards whose lines are held (released on `stop`).
    public var gpioBoards: [GPIOLockBoard]

    /// A board that cannot be opened (missing chip or device) does not stop the cabinet: it is
    /// built as an `UnavailableLockBoard`, which the controller takes offline with the reason.
    public init(configuration: CabinetConfiguration, cabinet: SimulatedCabinet, logger: Logger) throws {
        boards = []
        eventSources = []
        buses = []
        firmwareLinks = []
        gpioBoards = []
        // One pseudo-terminal per simulated family, shared by that family's boards (one bus).
        var linkPaths: [SimulatedFirmwareLink.Family: String] = [:]
        let kinds = configuration.boards.map { CabinetConfiguration.Board.BoardKind(rawValue: $0.kind) }
        for family in [SimulatedFirmwareLink.Family.ownProtocol, .kerongCU16, .kerongCU48, .eightA] {
            let members = zip(configuration.boards, kinds).filter { $0.1?.simulatedFamily == family }.map(\.0)
            guard !members.isEmpty else { continue }
            let link = try SimulatedFirmwareLink(
                cabinet: cabinet, family: family, boardAddresses: members.map(\.address),
                setBitMeansOpen: members.first?.setBitMeansOpen ?? true)
            firmwareLinks.append(link)
            linkPaths[family] = link.terminal.subordinatePath
        }
        // Serial barcode/QR scanners: each read loop is supervised (an unplugged scanner's loop
        // ends, and is started again until the device is back).
        for scanner in configuration.scanners {
            eventSources.append(SerialScanner(
                name: scanner.name, configuration: SerialPortConfiguration(path: scanner.device, baud: scanner.baud), logger: logger))
        }
        var busByPath: [String: SerialBus] = [:]
        // The slowest board on a device sets the bus timing (an 8A reply takes up to ~500 ms).
        let slowDevices = Set(zip(configuration.boards, kinds).compactMap { board, kind -> String? in
            guard kind == .eightA || kind == .simulatedEightA else { return nil }
            return kind?.simulatedFamily.flatMap { linkPaths[$0] } ?? board.device
        })
        func bus(for board: CabinetConfiguration.Board, path: String) -> SerialBus {
            if let existing = busByPath[path] { return existing }
            let timing = slowDevices.contains(path) ? EightALockBoard.recommendedTiming : SerialBus.Timing()
            // A device written tcp://HOST:PORT is a bus unit bridging the same frames over TCP.
            let parity = board.parity.flatMap(SerialPortConfiguration.Parity.init(rawValue:)) ?? .none
            let created = SerialBus(
                endpoint: LinkEndpoint(device: path, baud: board.effectiveBaud, parity: parity, kernelRS485: board.rs485DirectionControl),
                timing: timing)
            busByPath[path] = created
            buses.append(created)
            return created
        }
        func add(_ driver: any LockBoard & HardwareEventSource, _ board: CabinetConfiguration.Board) {
            let placed: any LockBoard & HardwareEventSource =
                driver.address == board.address ? driver : ReaddressedLockBoard(cabinetAddress: board.address, inner: driver)
            boards.append(placed)
            eventSources.append(placed)
        }
        for (board, kind) in zip(configuration.boards, kinds) {
            let path = kind?.simulatedFamily.flatMap { linkPaths[$0] } ?? board.device ?? ""
            let setMeansOpen = board.setBitMeansOpen
            // Simulated firmware answers to the cabinet's board number.
            let wire = kind?.simulatedFamily != nil ? board.address : board.wireAddress
            do {
                switch kind {
                case .simulated?, nil:
                    if let simulated = cabinet.board(board.address) { boards.append(simulated) }
                case .gpio?:
                    guard let gpio = board.gpio else { continue }
                    let driver = try GPIOLockBoard(address: board.address, configuration: gpio, logger: logger)
                    boards.append(driver)
                    eventSources.append(driver)
                    gpioBoards.append(driver)
                case .ownProtocol?, .simulatedOwnProtocol?:
                    let driver = OwnProtocolLockBoard(
                        address: wire, channelCount: board.channels, hasItemSensors: board.hasItemSensors,
                        bus: bus(for: board, path: path), pollIntervalMilliseconds: board.pollMilliseconds)
                    add(driver, board)
                case .kerongCU16?, .simulatedKerongCU16?:
                    let driver = try KerongCU16LockBoard(
                        address: wire, channelCount: board.channels, polarity: setMeansOpen ? .setMeansOpen : .setMeansClosed,
                        hasItemSensors: board.hasItemSensors, bus: bus(for: board, path: path),
                        pollIntervalMilliseconds: board.pollMilliseconds)
                    add(driver, board)
                case .kerongCU48?, .simulatedKerongCU48?:
                    let driver = try KerongCU48LockBoard(
                        address: wire, channelCount: board.channels, polarity: setMeansOpen ? .setMeansOpen : .setMeansClosed,
                        hasItemSensors: board.hasItemSensors, bus: bus(for: board, path: path),
                        pollIntervalMilliseconds: board.pollMilliseconds)
                    add(driver, board)
                case .eightA?, .simulatedEightA?:
                    let driver = try EightALockBoard(
                        address: wire, channelCount: board.channels, polarity: setMeansOpen ? .setMeansOpen : .setMeansClosed,
                        bus: bus(for: board, path: path), pollIntervalMilliseconds: board.pollMilliseconds)
                    add(driver, board)
                }
            } catch {
                logger.error("lock board cannot be opened", metadata: ["board.address": "\(board.address)", "error": "\(error)"])
                boards.append(UnavailableLockBoard(address: board.address, channelCount: board.channels, reason: "\(error)"))
            }
        }
    }

    /// Closes serial lines and stops simulated firmware (shutdown, in reverse order of start).
    public func stop() async {
        // Latches first: nothing may stay energised.
        for board in gpioBoards { board.close() }
        for bus in buses { await bus.close() }
        for link in firmwareLinks { link.stop() }
    }
}
