public import Foundation
public import LockerCore
public import LockerDrivers
public import LockerUplink

/// The cabinet group's configuration (JSON). Every field has a default, so a file only states what
/// differs; `CabinetConfiguration.simulatedDefault` is the built-in simulated cabinet.
public struct CabinetConfiguration: Sendable, Codable, Equatable {
    public struct Board: Sendable, Codable, Equatable {
        /// The board's number in this configuration: compartments refer to it. Unique.
        public var address: Int
        /// The board's address on its bus (DIP switch), when it differs from `address` (two buses
        /// may each have a board 1).
        public var busAddress: Int?
        public var channels: Int
        public var hasItemSensors: Bool
        /// The board family and how it is reached (see `BoardKind`).
        public var kind: String
        /// Serial device of a real board (prefer a stable /dev/locker/... udev symlink).
        public var device: String?
        /// Line speed; nil means the family's default (`BoardFamily.defaultBaud`).
        public var baud: Int?
        /// "none", "even" or "odd"; nil means the family's default (none for every family so far).
        public var parity: String?
        /// Ask the kernel to drive the RS-485 transmitter (TIOCSRS485) for UARTs wired to a
        /// transceiver; USB adapters switch by themselves (default false).
        public var rs485DirectionControl: Bool
        /// Kerong and 8A boards: what a set lock/feedback bit means on this board revision
        /// ("set-means-open" or "set-means-closed"); sources disagree, so check the board's sheet.
        /// Nil: the family's default (`BoardFamily.setBitMeansOpenByDefault`; CU48: set means
        /// closed, as its sheet says; others: open).
        public var polarity: String?
        /// How often boards without unsolicited reports are polled (default: the family's).
        public var pollMilliseconds: Int
        /// Lines of a `gpio` board (see `GPIOLockBoardConfiguration`).
        public var gpio: GPIOLockBoardConfiguration?
        /// How long the host waits for a reply on this board's bus, 10...5000 ms; nil: the family's
        /// (own protocol and Kerong 200 ms, 8A/80 600 ms). Long cables or slow bus units need more.
        public var replyTimeoutMilliseconds: Int?
        /// How many times a request without a reply is sent again, 0...10; nil: the family's (2).
        public var retries: Int?

        /// Every key a board may have in the file (`CaseIterable` for the unknown-key check).
        enum CodingKeys: String, CodingKey, CaseIterable {
            case address, busAddress, channels, hasItemSensors, kind, device, baud, parity, rs485DirectionControl, polarity
            case pollMilliseconds, gpio, replyTimeoutMilliseconds, retries
        }

        public init(address: Int, channels: Int, hasItemSensors: Bool, kind: String = "simulated",
                    device: String? = nil, baud: Int? = nil, polarity: String? = nil, pollMilliseconds: Int? = nil) {
            self.address = address
            self.channels = channels
            self.hasItemSensors = hasItemSensors
            self.kind = kind
            self.device = device
            self.baud = baud
            self.rs485DirectionControl = false
            self.polarity = polarity
            self.pollMilliseconds = pollMilliseconds ?? Self.defaultPollMilliseconds(kind: kind)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            address = try c.decode(Int.self, forKey: .address)
            busAddress = try c.decodeIfPresent(Int.self, forKey: .busAddress)
            channels = try c.decode(Int.self, forKey: .channels)
            hasItemSensors = try c.decodeIfPresent(Bool.self, forKey: .hasItemSensors) ?? false
            kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? "simulated"
            device = try c.decodeIfPresent(String.self, forKey: .device)
            baud = try c.decodeIfPresent(Int.self, forKey: .baud)
            parity = try c.decodeIfPresent(String.self, forKey: .parity)
            rs485DirectionControl = try c.decodeIfPresent(Bool.self, forKey: .rs485DirectionControl) ?? false
            polarity = try c.decodeIfPresent(String.self, forKey: .polarity)
            pollMilliseconds = try c.decodeIfPresent(Int.self, forKey: .pollMilliseconds) ?? Self.defaultPollMilliseconds(kind: kind)
            gpio = try c.decodeIfPresent(GPIOLockBoardConfiguration.self, forKey: .gpio)
            replyTimeoutMilliseconds = try c.decodeIfPresent(Int.self, forKey: .replyTimeoutMilliseconds)
            retries = try c.decodeIfPresent(Int.self, forKey: .retries)
        }

        /// The board families this build can drive.
        public enum BoardKind: String, CaseIterable, Sendable {
            /// A board of the built-in simulated cabinet, in process.
            case simulated
            /// A simulated board behind a pseudo-terminal, driven through the real serial driver of
            /// our own protocol (the whole daemon path, without hardware).
            case simulatedOwnProtocol = "simulated-own-protocol"
            /// A real board speaking our own protocol (firmware-protocol/PROTOCOL.md) on `device`.
            case ownProtocol = "own-protocol"
            /// Latches and door sensors on GPIO lines of the board computer (libgpiod), see `gpio`.
            case gpio
            /// Kerong KR-CU16 / CU12 on RS-485 (`device`), board id 0-9.
            case kerongCU16 = "kerong-cu16"
            /// A simulated Kerong CU16 behind a pseudo-terminal, driven by the real driver.
            case simulatedKerongCU16 = "simulated-kerong-cu16"
            /// Kerong KR-CU48 on RS-485 (`device`), one address byte, up to 48 locks.
            case kerongCU48 = "kerong-cu48"
            /// A simulated Kerong CU48 behind a pseudo-terminal, driven by the real driver.
            case simulatedKerongCU48 = "simulated-kerong-cu48"
            /// The generic "8A/80" 24-channel board on RS-485 (`device`), address 1-31.
            case eightA = "eight-a"
            /// A simulated 8A/80 board behind a pseudo-terminal, driven by the real driver.
            case simulatedEightA = "simulated-eight-a"
        }

        /// The family's poll interval (250 ms for an unknown kind, which validation rejects).
        static func defaultPollMilliseconds(kind: String) -> Int {
            BoardKind(rawValue: kind)?.family?.defaultPollMilliseconds ?? 250
        }

        /// The family of the board's kind; nil for an unknown kind (validation reports it).
        public var family: BoardFamily? { BoardKind(rawValue: kind)?.family }

        /// Whether the board is simulated (in process, or simulated firmware behind a pseudo-terminal).
        public var isSimulated: Bool {
            guard let kind = BoardKind(rawValue: kind), let family else { return false }
            return family.isSimulated(kind)
        }

        /// Whether a set lock/feedback bit means open, in effect (the family's default unless
        /// the board's `polarity` says).
        public var setBitMeansOpen: Bool {
            if let polarity { return polarity == "set-means-open" }
            return family?.setBitMeansOpenByDefault ?? true
        }

        /// The address on the bus in effect.
        public var wireAddress: Int { busAddress ?? address }

        /// The line speed in effect.
        public var effectiveBaud: Int { baud ?? family?.defaultBaud ?? 115_200 }

        /// The parity in effect.
        public var effectiveParity: SerialPortConfiguration.Parity {
            parity.flatMap(SerialPortConfiguration.Parity.init(rawValue:)) ?? family?.defaultParity ?? .none
        }
    }

    public struct CompartmentEntry: Sendable, Codable, Equatable {
        public var label: String
        public var size: String
        public var temperatureClass: String
        public var accessible: Bool
        public var board: Int
        public var channel: Int

        enum CodingKeys: String, CodingKey, CaseIterable {
            case label, size, temperatureClass, accessible, board, channel
        }

        public init(label: String, size: String, temperatureClass: String = "ambient", accessible: Bool = false,
                    board: Int, channel: Int) {
            self.label = label
            self.size = size
            self.temperatureClass = temperatureClass
            self.accessible = accessible
            self.board = board
            self.channel = channel
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            label = try c.decode(String.self, forKey: .label)
            size = try c.decode(String.self, forKey: .size)
            temperatureClass = try c.decodeIfPresent(String.self, forKey: .temperatureClass) ?? "ambient"
            accessible = try c.decodeIfPresent(Bool.self, forKey: .accessible) ?? false
            board = try c.decode(Int.self, forKey: .board)
            channel = try c.decode(Int.self, forKey: .channel)
        }
    }

    public struct CourierEntry: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var pin: String
        public var carrier: String

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, name, pin, carrier
        }

        public init(id: String, name: String, pin: String, carrier: String = "") {
            self.id = id
            self.name = name
            self.pin = pin
            self.carrier = carrier
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            name = try c.decode(String.self, forKey: .name)
            pin = try c.decode(String.self, forKey: .pin)
            carrier = try c.decodeIfPresent(String.self, forKey: .carrier) ?? ""
        }
    }

    public var cabinetID: String = "cabinet-1"
    /// Digits in a pickup code. Left out of the file: 8, or more when the cabinet has so many doors
    /// that 8 would not keep a guesser out for 100 years (`CabinetConfiguration+Guessing.swift`).
    public var pickupCodeLength: Int = 8
    /// Retention per temperature class, in hours.
    public var retentionHours: [String: Double] = ["ambient": 48, "chilled": 24, "frozen": 24, "heated": 4]
    public var latchPulseMilliseconds: Int = 500
    public var doorOpenConfirmationSeconds: Double = 5
    public var doorReminderSeconds: Double = 60
    public var doorAlarmSeconds: Double = 180
    public var pickupGraceSeconds: Double = 60
    public var wrongCodesBeforeLockout: Int = 5
    public var firstLockoutSeconds: Double = 30
    public var maximumLockoutSeconds: Double = 1_200
    public var boards: [Board] = []
    public var compartments: [CompartmentEntry] = []
    public var couriers: [CourierEntry] = []
    public var scanners: [ScannerEntry] = []
    public var keypads: [KeypadEntry] = []
    public var display: DisplayEntry?
    /// Temperature-controlled zones (cold chain). Chilled, frozen or heated compartments outside
    /// every zone have no control and no record: the daemon warns about them at start.
    public var zones: [ZoneEntry] = []
    public var buzzer: BuzzerEntry?
    public var maintenance = MaintenanceConfiguration()
    /// The touchscreen kiosk page; nil (the default): none is served.
    public var kiosk: KioskConfiguration?
    /// The database may grow to this size; beyond it (or with less than `minimumFreeDiskMegabytes`
    /// left on its disk) the cabinet takes no new deposits, so that the events of the parcels it
    /// already holds (pickups, alarms) always fit.
    public var storeBudgetMegabytes: Double = 512
    public var minimumFreeDiskMegabytes: Double = 64
    /// Events the central server acknowledged are kept this many days, then compacted behind a
    /// checkpoint (see `RecordCompactor`); the events of parcels still inside stay whatever their
    /// age. 0 keeps every event for good (the record then grows until `storeBudgetMegabytes`).
    public var eventRetentionDays: Double = 30
    /// The central server; nil: the cabinet keeps its events until one is configured.
    public var uplink: UplinkConfiguration?
    /// The IANA name of the time zone the cabinet's reports count days, months and hours in
    /// ("Asia/Shanghai"); nil: the system's.
    public var timeZone: String?
    /// The language the panel greets people in ("en" or "zh-Hans"); a person switches it for
    /// their session with ENTER on the welcome screen. A character LCD shows English whatever
    /// this says (it has no Chinese glyphs).
    public var language: String = PanelLanguage.english.rawValue

    /// The panel's default language (`validate` refuses a name that is not one).
    public var panelLanguage: PanelLanguage { PanelLanguage(rawValue: language) ?? .english }

    /// The zone reports use (the system's when none is configured; `validate` refuses an unknown name).
    public var reportTimeZone: TimeZone { timeZone.flatMap(TimeZone.init(identifier:)) ?? .current }

    /// Every top-level key of the file (`CaseIterable` for the unknown-key check).
    enum CodingKeys: String, CodingKey, CaseIterable {
        case cabinetID, pickupCodeLength, retentionHours, latchPulseMilliseconds, doorOpenConfirmationSeconds
        case doorReminderSeconds, doorAlarmSeconds, pickupGraceSeconds, wrongCodesBeforeLockout, firstLockoutSeconds
        case maximumLockoutSeconds, boards, compartments, couriers, scanners, keypads, display, zones, buzzer, maintenance
        case storeBudgetMegabytes, minimumFreeDiskMegabytes, eventRetentionDays, uplink, timeZone, language, kiosk
    }

    public init() {}

    /// Every board is simulated (in process or behind a pseudo-terminal): `lockerctl sim` may act.
    public var isFullySimulated: Bool {
        boards.allSatisfy(\.isSimulated)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CabinetConfiguration()
        cabinetID = try c.decodeIfPresent(String.self, forKey: .cabinetID) ?? d.cabinetID
        pickupCodeLength = try c.decodeIfPresent(Int.self, forKey: .pickupCodeLength) ?? d.pickupCodeLength
        retentionHours = try c.decodeIfPresent([String: Double].self, forKey: .retentionHours) ?? d.retentionHours
        latchPulseMilliseconds = try c.decodeIfPresent(Int.self, forKey: .latchPulseMilliseconds) ?? d.latchPulseMilliseconds
        doorOpenConfirmationSeconds = try c.decodeIfPresent(Double.self, forKey: .doorOpenConfirmationSeconds) ?? d.doorOpenConfirmationSeconds
        doorReminderSeconds = try c.decodeIfPresent(Double.self, forKey: .doorReminderSeconds) ?? d.doorReminderSeconds
        doorAlarmSeconds = try c.decodeIfPresent(Double.self, forKey: .doorAlarmSeconds) ?? d.doorAlarmSeconds
        pickupGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .pickupGraceSeconds) ?? d.pickupGraceSeconds
        wrongCodesBeforeLockout = try c.decodeIfPresent(Int.self, forKey: .wrongCodesBeforeLockout) ?? d.wrongCodesBeforeLockout
        firstLockoutSeconds = try c.decodeIfPresent(Double.self, forKey: .firstLockoutSeconds) ?? d.firstLockoutSeconds
        maximumLockoutSeconds = try c.decodeIfPresent(Double.self, forKey: .maximumLockoutSeconds) ?? d.maximumLockoutSeconds
        boards = try c.decodeIfPresent([Board].self, forKey: .boards) ?? d.boards
        compartments = try c.decodeIfPresent([CompartmentEntry].self, forKey: .compartments) ?? d.compartments
        couriers = try c.decodeIfPresent([CourierEntry].self, forKey: .couriers) ?? d.couriers
        scanners = try c.decodeIfPresent([ScannerEntry].self, forKey: .scanners) ?? d.scanners
        keypads = try c.decodeIfPresent([KeypadEntry].self, forKey: .keypads) ?? d.keypads
        display = try c.decodeIfPresent(DisplayEntry.self, forKey: .display)
        zones = try c.decodeIfPresent([ZoneEntry].self, forKey: .zones) ?? d.zones
        buzzer = try c.decodeIfPresent(BuzzerEntry.self, forKey: .buzzer)
        maintenance = try c.decodeIfPresent(MaintenanceConfiguration.self, forKey: .maintenance) ?? d.maintenance
        kiosk = try c.decodeIfPresent(KioskConfiguration.self, forKey: .kiosk)
        uplink = try c.decodeIfPresent(UplinkConfiguration.self, forKey: .uplink)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        language = try c.decodeIfPresent(String.self, forKey: .language) ?? d.language
        storeBudgetMegabytes = try c.decodeIfPresent(Double.self, forKey: .storeBudgetMegabytes) ?? d.storeBudgetMegabytes
        minimumFreeDiskMegabytes = try c.decodeIfPresent(Double.self, forKey: .minimumFreeDiskMegabytes) ?? d.minimumFreeDiskMegabytes
        eventRetentionDays = try c.decodeIfPresent(Double.self, forKey: .eventRetentionDays) ?? d.eventRetentionDays
        // Left out, the code length follows the cabinet: 8 digits, more for a cabinet so large
        // that 8 would let a guesser in within a century (see `shortestCodeLengthForACentury`).
        if !c.contains(.pickupCodeLength) { pickupCodeLength = shortestCodeLengthForACentury }
    }

    /// Checks everything a running cabinet relies on; lists every problem at once.
    public func validate() throws {
        var problems: [String] = []
        if !(4...12).contains(pickupCodeLength) { problems.append("pickupCodeLength must be 4...12, is \(pickupCodeLength)") }
        if !(100...5_000).contains(latchPulseMilliseconds) {
            problems.append("latchPulseMilliseconds must be 100...5000, is \(latchPulseMilliseconds)")
        }
        // A bound above as well as below: a huge value switches the lockout off, and the server may
        // change this field remotely (the same check runs on its changes).
        if !(1...10).contains(wrongCodesBeforeLockout) {
            problems.append("wrongCodesBeforeLockout must be 1...10, is \(wrongCodesBeforeLockout)")
        }
        // Scalars, not Foundation's `contains`, whose search loads CoreFoundation's and ICU's tables.
        if cabinetID.isEmpty || cabinetID.utf8.count > 64 || cabinetID.unicodeScalars.contains("\u{FFFD}")
            || cabinetID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append("cabinetID must be 1...64 bytes of printable text, is \"\(cabinetID)\"")
        }
        for board in boards where !(0...255).contains(board.address) || !(0...255).contains(board.busAddress ?? 0) {
            problems.append("board \(board.address): address and busAddress must be 0...255")
        }
        // A file that sets only a few fields (say `uplink`) does not add to the built-in simulated
        // cabinet: it describes a whole cabinet, so say why it has no boards.
        if boards.isEmpty {
            problems.append("no boards configured (a configuration file describes the whole cabinet; it does not extend the built-in simulated one)")
        }
        problems += maintenance.problems()
        problems += kiosk?.problems() ?? []
        problems += inputDeviceProblems()
        problems += feedbackProblems()
        problems += zoneProblems()
        problems += uplink?.problems() ?? []
        if !(storeBudgetMegabytes >= 1 && storeBudgetMegabytes <= 1_048_576) {
            problems.append("storeBudgetMegabytes must be 1...1048576, is \(storeBudgetMegabytes)")
        }
        if !(minimumFreeDiskMegabytes >= 0 && minimumFreeDiskMegabytes <= 1_048_576) {
            problems.append("minimumFreeDiskMegabytes must be 0...1048576, is \(minimumFreeDiskMegabytes)")
        }
        if !(eventRetentionDays == 0 || (eventRetentionDays >= 1 && eventRetentionDays <= 3_650)) {
            problems.append("eventRetentionDays must be 0 (keep every event) or 1...3650, is \(eventRetentionDays)")
        }
        if compartments.isEmpty { problems.append("no compartments configured") }
        if PanelLanguage(rawValue: language) == nil {
            let known = PanelLanguage.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
            problems.append("language must be \(known), is \"\(language.prefix(32))\"")
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            problems.append("timeZone must be an IANA time zone name such as \"Asia/Shanghai\", is \"\(timeZone.prefix(64))\"")
        }
        if Set(boards.map(\.address)).count != boards.count { problems.append("two boards share an address") }
        for board in boards {
            if let timeout = board.replyTimeoutMilliseconds, !(10...5_000).contains(timeout) {
                problems.append("board \(board.address): replyTimeoutMilliseconds must be 10...5000, is \(timeout)")
            }
            if let retries = board.retries, !(0...10).contains(retries) {
                problems.append("board \(board.address): retries must be 0...10, is \(retries)")
            }
        }
        for board in boards where !(1...64).contains(board.channels) {
            problems.append("board \(board.address): channels must be 1...64, is \(board.channels)")
        }
        for (name, hours) in retentionHours.sorted(by: { $0.key < $1.key }) {
            if TemperatureClass(label: name) == nil { problems.append("retentionHours: unknown temperature class \"\(name)\"") }
            if !(hours > 0 && hours <= 24 * 365) { problems.append("retentionHours.\(name) must be more than 0 and at most a year, is \(hours)") }
        }
        if !(1...3_600).contains(firstLockoutSeconds) || !(firstLockoutSeconds...3_600).contains(maximumLockoutSeconds) {
            problems.append("lockout seconds must satisfy 1 <= firstLockoutSeconds <= maximumLockoutSeconds <= 3600 (the cap keeps a prankster from locking residents out for long)")
        }
        problems += guessingProblems()
        for (name, value) in [("doorOpenConfirmationSeconds", doorOpenConfirmationSeconds), ("doorReminderSeconds", doorReminderSeconds),
                              ("doorAlarmSeconds", doorAlarmSeconds), ("pickupGraceSeconds", pickupGraceSeconds)]
        where !(value >= 0 && value <= 86_400) {
            problems.append("\(name) must be 0...86400, is \(value)")
        }
        var labels = Set<String>()
        var channels = Set<String>()
        for entry in compartments {
            if CompartmentSize(label: entry.size) == nil { problems.append("compartment \(entry.label): unknown size \"\(entry.size)\" (XS, S, M, L, XL)") }
            if TemperatureClass(label: entry.temperatureClass) == nil {
                problems.append("compartment \(entry.label): unknown temperature class \"\(entry.temperatureClass)\"")
            }
            if entry.label.isEmpty || entry.label.count > 16 || entry.label.hasPrefix("~") {
                problems.append("compartment label \"\(entry.label)\" must be 1...16 characters, not starting with ~")
            }
            if !labels.insert(entry.label.uppercased()).inserted { problems.append("label \(entry.label) is used twice") }
            if !channels.insert("\(entry.board):\(entry.channel)").inserted {
                problems.append("board \(entry.board) channel \(entry.channel) is used by two compartments")
            }
            if let board = boards.first(where: { $0.address == entry.board }) {
                if entry.channel < 1 || entry.channel > board.channels {
                    problems.append("compartment \(entry.label): board \(entry.board) has channels 1...\(board.channels), not \(entry.channel)")
                }
            } else {
                problems.append("compartment \(entry.label) is on board \(entry.board), which is not configured")
            }
        }
        for board in boards {
            guard let kind = Board.BoardKind(rawValue: board.kind), let family = kind.family else {
                let known = Board.BoardKind.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append("board \(board.address): unknown kind \"\(board.kind)\" (known: \(known))")
                continue
            }
            problems += family.problems(of: board, kind: kind)
            guard family.takesLineSettings else { continue }
            if let parity = board.parity, SerialPortConfiguration.Parity(rawValue: parity) == nil {
                problems.append("board \(board.address): parity must be none, even or odd, is \"\(parity)\"")
            }
            if let baud = board.baud, SerialPortConfiguration(path: "", baud: baud).isStandardSpeed == false {
                problems.append("board \(board.address): \(baud) baud is not a standard rate")
            }
            if let polarity = board.polarity, !["set-means-open", "set-means-closed"].contains(polarity) {
                problems.append("board \(board.address): polarity must be set-means-open or set-means-closed, is \"\(polarity)\"")
            }
            if !(10...10_000).contains(board.pollMilliseconds) {
                problems.append("board \(board.address): pollMilliseconds must be 10...10000, is \(board.pollMilliseconds)")
            }
        }
        let byDevice = Dictionary(grouping: boards.filter { $0.device != nil }, by: { $0.device ?? "" })
        for (device, sharing) in byDevice.sorted(by: { $0.key < $1.key }) where Set(sharing.map(\.wireAddress)).count != sharing.count {
            problems.append("two boards on \(device) have the same bus address")
        }
        for (device, sharing) in byDevice.sorted(by: { $0.key < $1.key }) where Set(sharing.map(\.effectiveBaud)).count > 1 {
            problems.append("boards \(sharing.map { String($0.address) }.joined(separator: ", ")) share \(device) but not one baud rate")
        }
        for courier in couriers where !(4...12).contains(courier.pin.count) || !courier.pin.allSatisfy(\.isASCII) || !courier.pin.allSatisfy(\.isNumber) {
            problems.append("courier \(courier.id): PIN must be 4...12 digits")
        }
        var courierIDs = Set<String>()
        for courier in couriers {
            if courier.id.isEmpty { problems.append("a courier has an empty id") }
            // The second courier with an id could never log in: the first one's PIN is checked.
            if !courierIDs.insert(courier.id).inserted { problems.append("courier id \(courier.id) is used twice") }
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
    }

    /// The compartments in id order (id = position in the file).
    public func layout() -> [Compartment] {
        compartments.enumerated().map { index, entry in
            Compartment(id: index, label: entry.label, size: CompartmentSize(label: entry.size) ?? .m,
                        temperatureClass: TemperatureClass(label: entry.temperatureClass) ?? .ambient,
                        isAccessible: entry.accessible)
        }
    }

    public var retentionPolicy: RetentionPolicy {
        var seconds = RetentionPolicy.defaultSeconds
        for (name, hours) in retentionHours {
            if let temperatureClass = TemperatureClass(label: name) { seconds[temperatureClass] = hours * 3600 }
        }
        return RetentionPolicy(secondsByClass: seconds)
    }

    /// The built-in simulated cabinet `make run` starts: 30 doors on two boards (the first with item
    /// sensors), several sizes, some at accessible height, four chilled and two frozen cells.
    public static var simulatedDefault: CabinetConfiguration {
        var configuration = CabinetConfiguration()
        configuration.boards = [
            Board(address: 1, channels: 16, hasItemSensors: true),
            Board(address: 2, channels: 14, hasItemSensors: false),
        ]
        let columnA: [(String, String, Bool)] = [
            ("XS", "ambient", false), ("XS", "ambient", false), ("S", "ambient", false), ("S", "ambient", false),
            ("S", "ambient", true), ("S", "ambient", true), ("M", "ambient", false), ("M", "ambient", false),
            ("M", "ambient", true), ("M", "ambient", true), ("L", "ambient", false), ("L", "ambient", false),
            ("XL", "ambient", false), ("XL", "ambient", false), ("M", "chilled", false), ("M", "chilled", true),
        ]
        let columnB: [(String, String, Bool)] = [
            ("S", "ambient", false), ("S", "ambient", false), ("S", "ambient", false), ("M", "ambient", false),
            ("M", "ambient", true), ("M", "ambient", true), ("M", "ambient", true), ("L", "ambient", false),
            ("L", "ambient", false), ("XL", "ambient", false), ("S", "chilled", false), ("M", "chilled", false),
            ("S", "frozen", false), ("M", "frozen", false),
        ]
        for (index, entry) in columnA.enumerated() {
            configuration.compartments.append(CompartmentEntry(
                label: String(format: "A%02d", index + 1), size: entry.0, temperatureClass: entry.1,
                accessible: entry.2, board: 1, channel: index + 1))
        }
        for (index, entry) in columnB.enumerated() {
            configuration.compartments.append(CompartmentEntry(
                label: String(format: "B%02d", index + 1), size: entry.0, temperatureClass: entry.1,
                accessible: entry.2, board: 2, channel: index + 1))
        }
        configuration.zones = simulatedZones
        configuration.couriers = [
            CourierEntry(id: "1001", name: "Ann", pin: "4321", carrier: "SF Express"),
            CourierEntry(id: "1002", name: "Bo", pin: "8765", carrier: "JD Logistics"),
        ]
        return configuration
    }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]
    public var description: String {
        "invalid configuration:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
