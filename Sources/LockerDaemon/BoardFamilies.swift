import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire

extension BoardFamily {
    /// Every board family this build can drive, one entry each (gpsd's driver array). Adding a
    /// family: one entry here, plus its codec (LockerWire), driver (LockerDrivers) and simulated
    /// firmware (LockerSimulator), and its kind names in `CabinetConfiguration.Board.BoardKind`.
    public static let all: [BoardFamily] = [inProcessSimulation, ownProtocol, gpio, kerongCU16, kerongCU48, eightA]

    /// Boards of the built-in simulated cabinet, in process: no driver, no line.
    static let inProcessSimulation = BoardFamily(name: "simulated board", kind: .simulated, driver: .inProcessSimulation)

    /// Our own protocol (firmware-protocol/PROTOCOL.md): the board queues numbered events and
    /// reports its temperature probes.
    static let ownProtocol = BoardFamily(
        name: "own protocol", kind: .ownProtocol, simulatedKind: .simulatedOwnProtocol, defaultBaud: 115_200,
        addresses: 0...31, addressRule: "our protocol addresses boards 0...31", carriesTemperatureProbes: true,
        driver: .serial { board, address, bus in
            OwnProtocolLockBoard(address: address, channelCount: board.channels, hasItemSensors: board.hasItemSensors,
                                 bus: bus, pollIntervalMilliseconds: board.pollMilliseconds)
        },
        makeSimulatedFirmware: { wiring in
            SimulatedOwnBoard(address: UInt8(wiring.address), hardware: .init(
                channelCount: wiring.channelCount, readDoors: wiring.readDoors, pulse: wiring.pulse))
        })

    /// Latches and door sensors on GPIO lines of the board computer; the `gpio` section lists them.
    static let gpio = BoardFamily(
        name: "GPIO lines", kind: .gpio,
        driver: .gpioLines { board, logger in
            guard let lines = board.gpio else {
                throw HardwareError.io(device: "board \(board.address)", operation: "configure", detail: "no gpio section")
            }
            return try GPIOLockBoard(address: board.address, configuration: lines, logger: logger)
        },
        extraProblems: { board in
            guard let lines = board.gpio else {
                return ["board \(board.address): kind gpio needs a \"gpio\" section (chip and lines)"]
            }
            var problems = lines.problems.map { "board \(board.address) (gpio): \($0)" }
            if lines.channels.count != board.channels {
                problems.append("board \(board.address): channels is \(board.channels) but gpio lists \(lines.channels.count) channels")
            }
            return problems
        })

    /// Kerong KR-CU16 / CU12: board id 0-9 on the chain, polled for status.
    static let kerongCU16 = BoardFamily(
        name: "Kerong CU16", kind: .kerongCU16, simulatedKind: .simulatedKerongCU16, defaultBaud: KerongCU16LockBoard.defaultBaud,
        addresses: KerongCU16LockBoard.addresses, addressRule: "Kerong CU16 board ids are 0...9",
        maximumChannels: KerongCU16LockBoard.maximumChannelCount, channelRule: "a Kerong CU16 has at most 16 locks",
        driver: .serial { board, address, bus in
            try KerongCU16LockBoard(
                address: address, channelCount: board.channels, polarity: KerongLockPolarity(setBitMeansOpen: board.setBitMeansOpen),
                hasItemSensors: board.hasItemSensors, bus: bus, pollIntervalMilliseconds: board.pollMilliseconds)
        },
        makeSimulatedFirmware: { wiring in
            SimulatedKerongCU16Board(
                board: wiring.address, polarity: KerongLockPolarity(setBitMeansOpen: wiring.setBitMeansOpen),
                hardware: .init(readDoors: wiring.readDoors, pulse: { _ = wiring.pulse($0) }))
        })

    /// Kerong KR-CU48: one address byte, up to 48 locks; its sheet says a set bit means closed.
    static let kerongCU48 = BoardFamily(
        name: "Kerong CU48", kind: .kerongCU48, simulatedKind: .simulatedKerongCU48, defaultBaud: KerongCU48LockBoard.defaultBaud,
        setBitMeansOpenByDefault: false,
        addresses: KerongCU48LockBoard.addresses, addressRule: "a Kerong CU48 address is one byte, 0...255",
        maximumChannels: KerongCU48LockBoard.maximumChannelCount, channelRule: "a Kerong CU48 has at most 48 locks",
        driver: .serial { board, address, bus in
            try KerongCU48LockBoard(
                address: address, channelCount: board.channels, polarity: KerongLockPolarity(setBitMeansOpen: board.setBitMeansOpen),
                hasItemSensors: board.hasItemSensors, bus: bus, pollIntervalMilliseconds: board.pollMilliseconds)
        },
        makeSimulatedFirmware: { wiring in
            SimulatedKerongCU48Board(
                board: wiring.address, polarity: KerongLockPolarity(setBitMeansOpen: wiring.setBitMeansOpen),
                hardware: .init(readDoors: wiring.readDoors, pulse: { _ = wiring.pulse($0) }))
        })

    /// The generic "8A/80" 24-channel board: address 1-31, no item sensors, and an open reply that
    /// takes up to ~500 ms, which sets the timing of its whole bus.
    static let eightA = BoardFamily(
        name: "8A/80", kind: .eightA, simulatedKind: .simulatedEightA, defaultBaud: EightALockBoard.defaultBaud,
        addresses: EightALockBoard.addresses, addressRule: "8A/80 addresses are 1...31",
        maximumChannels: EightALockBoard.maximumChannelCount, channelRule: "an 8A/80 board has at most 24 channels",
        busTiming: EightALockBoard.recommendedTiming,
        driver: .serial { board, address, bus in
            try EightALockBoard(
                address: address, channelCount: board.channels, polarity: board.setBitMeansOpen ? .setMeansOpen : .setMeansClosed,
                bus: bus, pollIntervalMilliseconds: board.pollMilliseconds)
        },
        makeSimulatedFirmware: { wiring in
            SimulatedEightABoard(
                address: wiring.address, polarity: wiring.setBitMeansOpen ? .setMeansOpen : .setMeansClosed,
                hardware: .init(channelCount: wiring.channelCount, readDoors: { wiring.readDoors().doors }, pulse: { _ = wiring.pulse($0) }))
        })
}

extension KerongLockPolarity {
    /// The polarity a configuration's "set-means-open" / "set-means-closed" names.
    init(setBitMeansOpen: Bool) {
        self = setBitMeansOpen ? .setMeansOpen : .setMeansClosed
    }
}
