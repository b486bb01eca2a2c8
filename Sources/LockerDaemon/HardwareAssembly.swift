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
        let simulatedOverLink = configuration.boards
            .filter { $0.kind == CabinetConfiguration.Board.BoardKind.simulatedOwnProtocol.rawValue }.map(\.address)
        var linkPath: String?
        if !simulatedOverLink.isEmpty {
            let link = try SimulatedFirmwareLink(cabinet: cabinet, boardAddresses: simulatedOverLink)
            firmwareLinks.append(link)
            linkPath = link.terminal.subordinatePath
        }
        var busByPath: [String: SerialBus] = [:]
        for board in configuration.boards {
            switch CabinetConfiguration.Board.BoardKind(rawValue: board.kind) {
            case .simulated?, nil:
                if let simulated = cabinet.board(board.address) { boards.append(simulated) }
            case .gpio?:
                guard let gpio = board.gpio else { continue }
                do {
                    let driver = try GPIOLockBoard(address: board.address, configuration: gpio, logger: logger)
                    boards.append(driver)
                    eventSources.append(driver)
                    gpioBoards.append(driver)
                } catch {
                    logger.error("GPIO lock board cannot be opened", metadata: ["board.address": "\(board.address)", "error": "\(error)"])
                    boards.append(UnavailableLockBoard(address: board.address, channelCount: board.channels, reason: "\(error)"))
                }
            case .simulatedOwnProtocol?, .ownProtocol?:
                guard let path = board.kind == "own-protocol" ? board.device : linkPath else { continue }
                let bus = busByPath[path] ?? SerialBus(.init(path: path, baud: board.baud))
                if busByPath[path] == nil {
                    busByPath[path] = bus
                    buses.append(bus)
                }
                let driver = OwnProtocolLockBoard(address: board.address, channelCount: board.channels,
                                                  hasItemSensors: board.hasItemSensors, bus: bus,
                                                  pollIntervalMilliseconds: board.pollMilliseconds)
                boards.append(driver)
                eventSources.append(driver)
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
