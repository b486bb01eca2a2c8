public import LockerDrivers
public import LockerHAL
public import LockerSimulator

/// Builds the lock boards the configuration names: in-process simulated boards, simulated boards
/// behind a pseudo-terminal (real driver), or real boards on serial devices. Boards on the same
/// device share one `SerialBus` (one transaction at a time on a half-duplex line).
public struct HardwareAssembly: Sendable {
    public var boards: [any LockBoard]
    /// Drivers with their own read or poll loop; the daemon runs each until shutdown.
    public var eventSources: [any HardwareEventSource]
    public var buses: [SerialBus]
    public var firmwareLinks: [SimulatedFirmwareLink]

    public init(configuration: CabinetConfiguration, cabinet: SimulatedCabinet) throws {
        boards = []
        eventSources = []
        buses = []
        firmwareLinks = []
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
        for bus in buses { await bus.close() }
        for link in firmwareLinks { link.stop() }
    }
}
