public import LockerDrivers
public import LockerHAL
public import LockerSimulator
public import Logging

/// Everything the daemon knows about one family of lock boards, in one place (see
/// `BoardFamily.all`): the kind names of the configuration, line defaults, polarity, address and
/// channel limits, timing, how its driver is built and, for its `simulated-*` twin, its
/// simulated firmware. Configuration validation, `HardwareAssembly` and the simulator derive
/// from the table, so a new family is one entry there (plus its codec, driver and simulator).
public struct BoardFamily: Sendable {
    public typealias Kind = CabinetConfiguration.Board.BoardKind

    /// How the daemon reaches a board of the family.
    public enum Driver: Sendable {
        /// A board of the in-process simulated cabinet, no driver at all.
        case inProcessSimulation
        /// Lines of the board computer (libgpiod); the lines are held until shutdown.
        case gpioLines(@Sendable (CabinetConfiguration.Board, Logger) throws -> GPIOLockBoard)
        /// A board on a serial bus (RS-485, or its TCP bridge), shared with the other boards of
        /// the same device. Gets the board's entry, the address to use on the wire and the bus.
        case serial(@Sendable (CabinetConfiguration.Board, _ wireAddress: Int, SerialBus) throws -> any LockBoard & HeartbeatingEventSource)
    }

    /// For people: messages and logs.
    public let name: String
    /// The kind a real board of the family is written as in the configuration.
    public let kind: Kind
    /// The kind of its simulated twin: the family's simulated firmware behind a pseudo-terminal,
    /// driven through the real driver. Nil: the family has no twin.
    public let simulatedKind: Kind?
    /// Line speed when the configuration gives none.
    public let defaultBaud: Int
    public let defaultParity: SerialPortConfiguration.Parity
    /// What a set lock/feedback bit means when the configuration does not say ("polarity").
    public let setBitMeansOpenByDefault: Bool
    /// The addresses a board of the family answers to on its bus; nil: not addressed on a bus.
    public let addresses: ClosedRange<Int>?
    /// The rule `addresses` states, as the configuration check says it.
    public let addressRule: String
    /// The most channels (locks) one board has; nil: only the configuration's general limit.
    public let maximumChannels: Int?
    /// The rule `maximumChannels` states, as the configuration check says it.
    public let channelRule: String
    /// Reply timeout, retries and inter-frame gap of a bus with boards of the family; a bus
    /// shared by several families takes the slowest.
    public let busTiming: SerialBus.Timing
    /// The poll interval when the configuration gives none.
    public let defaultPollMilliseconds: Int
    /// Whether the board reports temperature probes (`own-board` probes of cold zones).
    public let carriesTemperatureProbes: Bool
    public let driver: Driver
    /// The simulated firmware of the `simulatedKind` twin, for one board of the simulated cabinet.
    public let makeSimulatedFirmware: (@Sendable (SimulatedBoardWiring) -> any SimulatedBoardFirmware)?
    /// Family-specific configuration checks beyond the table's limits (a GPIO board's lines).
    let extraProblems: @Sendable (CabinetConfiguration.Board) -> [String]

    init(name: String, kind: Kind, simulatedKind: Kind? = nil, defaultBaud: Int = 115_200,
         defaultParity: SerialPortConfiguration.Parity = .none, setBitMeansOpenByDefault: Bool = true,
         addresses: ClosedRange<Int>? = nil, addressRule: String = "", maximumChannels: Int? = nil, channelRule: String = "",
         busTiming: SerialBus.Timing = SerialBus.Timing(), defaultPollMilliseconds: Int = 250,
         carriesTemperatureProbes: Bool = false, driver: Driver,
         makeSimulatedFirmware: (@Sendable (SimulatedBoardWiring) -> any SimulatedBoardFirmware)? = nil,
         extraProblems: @escaping @Sendable (CabinetConfiguration.Board) -> [String] = { _ in [] }) {
        self.name = name
        self.kind = kind
        self.simulatedKind = simulatedKind
        self.defaultBaud = defaultBaud
        self.defaultParity = defaultParity
        self.setBitMeansOpenByDefault = setBitMeansOpenByDefault
        self.addresses = addresses
        self.addressRule = addressRule
        self.maximumChannels = maximumChannels
        self.channelRule = channelRule
        self.busTiming = busTiming
        self.defaultPollMilliseconds = defaultPollMilliseconds
        self.carriesTemperatureProbes = carriesTemperatureProbes
        self.driver = driver
        self.makeSimulatedFirmware = makeSimulatedFirmware
        self.extraProblems = extraProblems
    }

    /// The kinds the configuration may use for the family: the real one and its twin.
    public var kinds: [Kind] { [kind] + (simulatedKind.map { [$0] } ?? []) }

    /// The family of `kind`; nil for a kind no entry claims (the table test forbids that).
    public static func family(of kind: Kind) -> BoardFamily? {
        all.first { $0.kinds.contains(kind) }
    }

    /// Whether a board of `kind` (one of `kinds`) is simulated: the in-process board or the twin.
    public func isSimulated(_ kind: Kind) -> Bool {
        if case .inProcessSimulation = driver { return true }
        return kind == simulatedKind
    }

    /// Whether a board of `kind` is reached through a serial device the configuration must name.
    func needsDevice(_ kind: Kind) -> Bool {
        guard case .serial = driver else { return false }
        return kind == self.kind
    }

    /// Whether the line settings (parity, baud, polarity, poll interval) of a board apply.
    var takesLineSettings: Bool {
        if case .gpioLines = driver { return false }
        return true
    }

    /// What is wrong with `board` (of one of `kinds`) by the family's rules.
    func problems(of board: CabinetConfiguration.Board, kind: Kind) -> [String] {
        var problems = extraProblems(board)
        // Simulated firmware answers to the board number; real boards to their bus address.
        let usedAddress = isSimulated(kind) ? board.address : board.wireAddress
        if let addresses, !addresses.contains(usedAddress) { problems.append("board \(board.address): \(addressRule)") }
        if let maximumChannels, board.channels > maximumChannels { problems.append("board \(board.address): \(channelRule)") }
        if needsDevice(kind) && (board.device ?? "").isEmpty {
            problems.append("board \(board.address): kind \(kind.rawValue) needs \"device\" (e.g. /dev/locker/rs485-1)")
        }
        return problems
    }
}

extension CabinetConfiguration.Board.BoardKind {
    /// The family of the kind (see `BoardFamily.all`).
    public var family: BoardFamily? { BoardFamily.family(of: self) }
}
