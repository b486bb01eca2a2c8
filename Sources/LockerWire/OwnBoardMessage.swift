/// The typed meaning of an `OwnBoardPacket` (firmware-protocol/PROTOCOL.md §5). Requests come from
/// the host, replies and events from a board; `packet(address:sequence:)` and `init(packet:)` are
/// exact inverses for every valid message.
public enum OwnBoardMessage: Sendable, Equatable {
    public struct Identity: Sendable, Equatable {
        public var protocolVersion: UInt8
        public var firmware: (major: UInt8, minor: UInt8, patch: UInt8)
        public var channelCount: UInt8
        public var capabilities: Capabilities
        public var bootID: UInt16
        public var model: String

        public init(protocolVersion: UInt8 = OwnBoardPacket.version, firmware: (UInt8, UInt8, UInt8), channelCount: UInt8,
                    capabilities: Capabilities, bootID: UInt16, model: String) {
            self.protocolVersion = protocolVersion
            self.firmware = firmware
            self.channelCount = channelCount
            self.capabilities = capabilities
            self.bootID = bootID
            self.model = model
        }

        public static func == (a: Identity, b: Identity) -> Bool {
            a.protocolVersion == b.protocolVersion && a.firmware == b.firmware && a.channelCount == b.channelCount
                && a.capabilities == b.capabilities && a.bootID == b.bootID && a.model == b.model
        }
    }

    public struct Capabilities: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let itemSensors = Capabilities(rawValue: 0x01)
        public static let latchFeedback = Capabilities(rawValue: 0x02)
        public static let temperatureProbes = Capabilities(rawValue: 0x04)
        public static let relays = Capabilities(rawValue: 0x08)
        public static let indicators = Capabilities(rawValue: 0x10)
        public static let buzzer = Capabilities(rawValue: 0x20)
        public static let unsolicitedEvents = Capabilities(rawValue: 0x40)
    }

    public struct Status: Sendable, Equatable {
        public var bootID: UInt16
        /// Index 0 is channel 1.
        public var doorOpen: [Bool]
        public var itemPresent: [Bool]
        public var latchReleased: [Bool]

        public init(bootID: UInt16, doorOpen: [Bool], itemPresent: [Bool], latchReleased: [Bool]) {
            self.bootID = bootID
            self.doorOpen = doorOpen
            self.itemPresent = itemPresent
            self.latchReleased = latchReleased
        }
    }

    public enum UnlockResult: UInt8, Sendable {
        case pulsed = 0, channelOutOfRange = 1, latchFault = 2
    }

    public struct Temperature: Sendable, Equatable {
        public enum State: UInt8, Sendable { case ok = 0, disconnected = 1, crcError = 2, notReady = 3 }
        public var probe: UInt8
        public var state: State
        public var centiCelsius: Int16

        public init(probe: UInt8, state: State, centiCelsius: Int16) {
            self.probe = probe
            self.state = state
            self.centiCelsius = centiCelsius
        }
    }

    public struct Event: Sendable, Equatable {
        /// An event kind: an open set, so that a kind added by a newer firmware decodes (and is
        /// skipped by the host with a log line) instead of making the whole events reply unreadable,
        /// which a board that keeps unacknowledged events would then repeat forever.
        public struct Kind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
            public var rawValue: UInt8
            public init(rawValue: UInt8) { self.rawValue = rawValue }

            public static let doorOpened = Kind(rawValue: 1)
            public static let doorClosed = Kind(rawValue: 2)
            public static let itemPresent = Kind(rawValue: 3)
            public static let itemRemoved = Kind(rawValue: 4)
            public static let latchFault = Kind(rawValue: 5)
            public static let eventsLost = Kind(rawValue: 0xFF)
            static let known: [Kind: String] = [
                .doorOpened: "doorOpened", .doorClosed: "doorClosed", .itemPresent: "itemPresent",
                .itemRemoved: "itemRemoved", .latchFault: "latchFault", .eventsLost: "eventsLost",
            ]

            /// Whether this protocol version defines the kind.
            public var isKnown: Bool { Self.known[self] != nil }
            public var description: String { Self.known[self] ?? "unknown kind \(rawValue)" }
        }
        public var number: UInt8
        public var channel: UInt8
        public var kind: Kind
        public var uptimeMilliseconds: UInt32

        public init(number: UInt8, channel: UInt8, kind: Kind, uptimeMilliseconds: UInt32) {
            self.number = number
            self.channel = channel
            self.kind = kind
            self.uptimeMilliseconds = uptimeMilliseconds
        }
    }

    public enum ErrorCode: UInt8, Sendable {
        case unknownCommand = 1, badLength = 2, channelOutOfRange = 3, busy = 4, hardwareFault = 5
    }

    case identify
    case identity(Identity)
    case readStatus
    case status(Status)
    case unlock(channel: UInt8, pulseMilliseconds: UInt16)
    case unlocked(channel: UInt8, result: UnlockResult)
    case readTemperatures
    case temperatures([Temperature])
    case setRelay(relay: UInt8, on: Bool)
    case relaySet(relay: UInt8, on: Bool)
    case setIndicator(channel: UInt8, pattern: UInt8)
    case indicatorSet(channel: UInt8, pattern: UInt8)
    case buzzer(pattern: UInt8, durationMilliseconds: UInt16)
    case buzzerSet(pattern: UInt8)
    case readEvents(acknowledgeUpTo: UInt8)
    case events([Event])
    /// Sent by a board on a point-to-point link without a request (command 0x88, sequence 0).
    case unsolicitedEvents([Event])
    /// Version 2 READ EVENTS (packet version 02): the acknowledgement names the boot it belongs
    /// to, and a board drops nothing when that is not its current boot, so an acknowledgement
    /// from before a reboot never swallows the new boot's events.
    case readEventsOfBoot(bootID: UInt16, acknowledgeUpTo: UInt8)
    /// Version 2 reply to READ EVENTS: the board's boot id on every poll, then the events.
    case eventsOfBoot(bootID: UInt16, events: [Event])
    case error(failedCommand: UInt8, code: ErrorCode)

    public enum DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        case unknownCommand(UInt8, fromBoard: Bool)
        case badPayload(command: UInt8, detail: String)

        public var description: String {
            switch self {
            case .unknownCommand(let command, let fromBoard):
                return "unknown \(fromBoard ? "reply" : "request") command \(OwnBoardDecoder.hex([command][...]))"
            case .badPayload(let command, let detail):
                return "command \(OwnBoardDecoder.hex([command][...])): \(detail)"
            }
        }
    }

    // MARK: - Encoding

    public func packet(address: UInt8, sequence: UInt8) -> OwnBoardPacket {
        let (command, fromBoard, payload) = wire
        return OwnBoardPacket(version: packetVersion, address: address, isFromBoard: fromBoard, sequence: sequence,
                              command: command, payload: payload)
    }

    /// Version 2 changed the READ EVENTS pair only; every other packet is written as version 1.
    public var packetVersion: UInt8 {
        switch self {
        case .readEventsOfBoot, .eventsOfBoot: 2
        default: OwnBoardPacket.version
        }
    }

    private var wire: (command: UInt8, fromBoard: Bool, payload: [UInt8]) {
        switch self {
        case .identify: return (0x01, false, [])
        case .identity(let id):
            let model = Array(id.model.utf8.prefix(64))
            return (0x81, true, [id.protocolVersion, id.firmware.major, id.firmware.minor, id.firmware.patch,
                                 id.channelCount, id.capabilities.rawValue] + Self.be16(id.bootID) + [UInt8(model.count)] + model)
        case .readStatus: return (0x02, false, [])
        case .status(let status):
            let count = status.doorOpen.count
            return (0x82, true, [UInt8(count)] + Self.be16(status.bootID) + Self.bitmap(status.doorOpen, count)
                        + Self.bitmap(status.itemPresent, count) + Self.bitmap(status.latchReleased, count))
        case .unlock(let channel, let pulse): return (0x03, false, [channel] + Self.be16(pulse))
        case .unlocked(let channel, let result): return (0x83, true, [channel, result.rawValue])
        case .readTemperatures: return (0x04, false, [])
        case .temperatures(let readings):
            return (0x84, true, [UInt8(readings.count)] + readings.flatMap {
                [$0.probe, $0.state.rawValue] + Self.be16(UInt16(bitPattern: $0.centiCelsius))
            })
        case .setRelay(let relay, let on): return (0x05, false, [relay, on ? 1 : 0])
        case .relaySet(let relay, let on): return (0x85, true, [relay, on ? 1 : 0])
        case .setIndicator(let channel, let pattern): return (0x06, false, [channel, pattern])
        case .indicatorSet(let channel, let pattern): return (0x86, true, [channel, pattern])
        case .buzzer(let pattern, let duration): return (0x07, false, [pattern] + Self.be16(duration))
        case .buzzerSet(let pattern): return (0x87, true, [pattern])
        case .readEvents(let acknowledged): return (0x08, false, [acknowledged])
        case .events(let events): return (0x88, true, Self.eventsPayload(events))
        case .readEventsOfBoot(let bootID, let acknowledged): return (0x08, false, Self.be16(bootID) + [acknowledged])
        case .eventsOfBoot(let bootID, let events): return (0x88, true, Self.be16(bootID) + Self.eventsPayload(events))
        case .unsolicitedEvents(let events): return (0x88, true, Self.eventsPayload(events))
        case .error(let failed, let code): return (0xFF, true, [failed, code.rawValue])
        }
    }

    // MARK: - Decoding

    /// Interprets a checked packet. A reply to READ EVENTS and an unsolicited event packet have
    /// the same command; they are told apart by the caller's context (sequence 0 is unsolicited).
    public init(packet: OwnBoardPacket) throws(DecodingError) {
        let p = packet.payload
        let command = packet.command
        func need(_ count: Int) throws(DecodingError) {
            guard p.count == count else {
                throw .badPayload(command: command, detail: "payload has \(p.count) bytes, expected \(count)")
            }
        }
        switch (command, packet.isFromBoard) {
        case (0x01, false): try need(0); self = .identify
        case (0x02, false): try need(0); self = .readStatus
        case (0x03, false): try need(3); self = .unlock(channel: p[0], pulseMilliseconds: Self.be16(p, 1))
        case (0x04, false): try need(0); self = .readTemperatures
        case (0x05, false): try need(2); self = .setRelay(relay: p[0], on: p[1] != 0)
        case (0x06, false): try need(2); self = .setIndicator(channel: p[0], pattern: p[1])
        case (0x07, false): try need(3); self = .buzzer(pattern: p[0], durationMilliseconds: Self.be16(p, 1))
        case (0x08, false) where packet.version >= 2:
            try need(3); self = .readEventsOfBoot(bootID: Self.be16(p, 0), acknowledgeUpTo: p[2])
        case (0x08, false): try need(1); self = .readEvents(acknowledgeUpTo: p[0])
        case (0x81, true):
            guard p.count >= 9, p.count == 9 + Int(p[8]) else {
                throw .badPayload(command: command, detail: "identity payload of \(p.count) bytes is inconsistent")
            }
            self = .identity(Identity(
                protocolVersion: p[0], firmware: (p[1], p[2], p[3]), channelCount: p[4],
                capabilities: Capabilities(rawValue: p[5]), bootID: Self.be16(p, 6),
                model: String(decoding: p[9...], as: UTF8.self)))
        case (0x82, true):
            guard p.count >= 3 else { throw .badPayload(command: command, detail: "status payload too short") }
            let count = Int(p[0])
            let width = (count + 7) / 8
            try need(3 + 3 * width)
            self = .status(Status(
                bootID: Self.be16(p, 1), doorOpen: Self.bits(p, at: 3, count: count),
                itemPresent: Self.bits(p, at: 3 + width, count: count),
                latchReleased: Self.bits(p, at: 3 + 2 * width, count: count)))
        case (0x83, true):
            try need(2)
            guard let result = UnlockResult(rawValue: p[1]) else {
                throw .badPayload(command: command, detail: "unknown unlock result \(p[1])")
            }
            self = .unlocked(channel: p[0], result: result)
        case (0x84, true):
            guard let count = p.first, p.count == 1 + 4 * Int(count) else {
                throw .badPayload(command: command, detail: "temperature payload of \(p.count) bytes is inconsistent")
            }
            var readings: [Temperature] = []
            for index in 0..<Int(count) {
                let base = 1 + 4 * index
                guard let state = Temperature.State(rawValue: p[base + 1]) else {
                    throw .badPayload(command: command, detail: "unknown probe state \(p[base + 1])")
                }
                readings.append(Temperature(probe: p[base], state: state, centiCelsius: Int16(bitPattern: Self.be16(p, base + 2))))
            }
            self = .temperatures(readings)
        case (0x85, true): try need(2); self = .relaySet(relay: p[0], on: p[1] != 0)
        case (0x86, true): try need(2); self = .indicatorSet(channel: p[0], pattern: p[1])
        case (0x87, true): try need(1); self = .buzzerSet(pattern: p[0])
        case (0x88, true) where packet.version >= 2:
            guard p.count >= 3 else { throw .badPayload(command: command, detail: "version 2 events payload too short") }
            self = .eventsOfBoot(bootID: Self.be16(p, 0), events: try Self.events(p, from: 2, command: command))
        case (0x88, true):
            let events = try Self.events(p, from: 0, command: command)
            self = packet.sequence == 0 ? .unsolicitedEvents(events) : .events(events)
        case (0xFF, true):
            try need(2)
            guard let code = ErrorCode(rawValue: p[1]) else {
                throw .badPayload(command: command, detail: "unknown error code \(p[1])")
            }
            self = .error(failedCommand: p[0], code: code)
        default:
            throw .unknownCommand(command, fromBoard: packet.isFromBoard)
        }
    }

    // MARK: - Helpers

    /// The events list of a READ EVENTS reply (`count`, then 7 bytes per event) from `start`.
    private static func events(_ p: [UInt8], from start: Int, command: UInt8) throws(DecodingError) -> [Event] {
        guard p.count > start, p.count == start + 1 + 7 * Int(p[start]) else {
            throw .badPayload(command: command, detail: "event payload of \(p.count) bytes is inconsistent")
        }
        return (0..<Int(p[start])).map { index in
            let base = start + 1 + 7 * index
            let uptime = UInt32(be16(p, base + 3)) << 16 | UInt32(be16(p, base + 5))
            return Event(number: p[base], channel: p[base + 1], kind: Event.Kind(rawValue: p[base + 2]), uptimeMilliseconds: uptime)
        }
    }

    private static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
    private static func be16(_ bytes: [UInt8], _ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }

    private static func eventsPayload(_ events: [Event]) -> [UInt8] {
        [UInt8(events.count)] + events.flatMap { event in
            [event.number, event.channel, event.kind.rawValue] + be16(UInt16(event.uptimeMilliseconds >> 16))
                + be16(UInt16(event.uptimeMilliseconds & 0xFFFF))
        }
    }

    private static func bitmap(_ flags: [Bool], _ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: (count + 7) / 8)
        for (index, flag) in flags.prefix(count).enumerated() where flag { bytes[index / 8] |= 1 << (index % 8) }
        return bytes
    }

    private static func bits(_ bytes: [UInt8], at offset: Int, count: Int) -> [Bool] {
        (0..<count).map { bytes[offset + $0 / 8] & (1 << ($0 % 8)) != 0 }
    }
}
