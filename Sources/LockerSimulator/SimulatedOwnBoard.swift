public import LockerWire

/// The board side of our own lock-board protocol, built on the same codec the host uses: it turns
/// request bytes into reply bytes for one simulated board (firmware-protocol/PROTOCOL.md), so the
/// daemon's driver can be tested over a pseudo-terminal against what a firmware must do.
///
/// It keeps the protocol's promises: a request repeated with the same sequence and command gets
/// the remembered reply and is not executed again; door and item changes are queued as numbered
/// events until the host acknowledges them.
public struct SimulatedOwnBoard: Sendable {
    /// What the board can see and do; the simulated cabinet provides it.
    public struct Hardware: Sendable {
        public var channelCount: Int
        public var readDoors: @Sendable () -> (doors: [Bool], items: [Bool])
        public var pulse: @Sendable (_ channel: Int) -> Bool
        /// The board's temperature probes, as its READ TEMPERATURES reply reports them.
        public var readTemperatures: @Sendable () -> [OwnBoardMessage.Temperature]

        public init(channelCount: Int, readDoors: @escaping @Sendable () -> (doors: [Bool], items: [Bool]),
                    pulse: @escaping @Sendable (Int) -> Bool,
                    readTemperatures: @escaping @Sendable () -> [OwnBoardMessage.Temperature] = { [] }) {
            self.channelCount = channelCount
            self.readDoors = readDoors
            self.pulse = pulse
            self.readTemperatures = readTemperatures
        }
    }

    public let address: UInt8
    /// Changes at every `reboot()`, as a real board draws a new one at each power-up.
    public private(set) var bootID: UInt16
    /// The protocol version the firmware implements: 1 drops version 2 packets (it cannot read
    /// them), 2 also answers version 2 READ EVENTS. IDENTIFY says which.
    public let protocolVersion: UInt8
    let hardware: Hardware
    /// Empty frames are the line idling between packets, not garbage.
    private var receiver = SimulatedBusReceiver(OwnBoardDecoder(), ignoring: ["empty frame"])
    private var lastRequest: (sequence: UInt8, command: UInt8, reply: [UInt8])?
    private var events: [OwnBoardMessage.Event] = []
    private var nextEventNumber: UInt8 = 1
    /// Requests executed (not answered from the retry cache), for tests (the most recent ones,
    /// see `RecentLog`).
    public var executedCommands: [UInt8] { executedLog.recent }
    private var executedLog = RecentLog<UInt8>()
    /// Frames dropped as garbage, with the decoder's reason.
    public var garbage: [String] { receiver.garbage }

    public init(address: UInt8, bootID: UInt16 = 0x0001, protocolVersion: UInt8 = 1, hardware: Hardware) {
        precondition(OwnBoardPacket.knownVersions.contains(protocolVersion), "protocol version \(protocolVersion) is not simulated")
        self.address = address
        self.bootID = bootID
        self.protocolVersion = protocolVersion
        self.hardware = hardware
    }

    /// Feeds bytes from the bus; returns the bytes the board transmits in answer (empty when the
    /// request was for another board, incomplete or garbled: a board never answers what it could
    /// not read).
    public mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        for packet in receiver.frames(from: bytes)
        where !packet.isFromBoard && packet.address == address && packet.version <= protocolVersion {
            output += answer(packet)
        }
        return output
    }

    /// A power cycle or watchdog reset: a new boot id, an empty event queue numbered from 1
    /// again, no remembered request. (Doors changed while it was off are not queued: only a
    /// status read shows them.)
    public mutating func reboot(bootID newBootID: UInt16) {
        bootID = newBootID
        events.removeAll()
        nextEventNumber = 1
        lastRequest = nil
    }

    /// Records a door or item change as the firmware would (numbered 1...255, skipping 0).
    public mutating func record(channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptimeMilliseconds: UInt32) {
        events.append(.init(number: nextEventNumber, channel: channel, kind: kind, uptimeMilliseconds: uptimeMilliseconds))
        nextEventNumber = nextEventNumber == 255 ? 1 : nextEventNumber + 1
        if events.count > 32 { events.removeFirst(events.count - 32) }
    }

    private mutating func answer(_ packet: OwnBoardPacket) -> [UInt8] {
        if let last = lastRequest, last.sequence == packet.sequence, last.command == packet.command {
            return last.reply  // a retry: same answer, not executed twice
        }
        executedLog.append(packet.command)
        let reply: OwnBoardMessage
        do {
            reply = execute(try OwnBoardMessage(packet: packet))
        } catch .unknownCommand {
            reply = .error(failedCommand: packet.command, code: .unknownCommand)
        } catch {
            reply = .error(failedCommand: packet.command, code: .badLength)
        }
        let bytes = reply.packet(address: address, sequence: packet.sequence).frame
        lastRequest = (packet.sequence, packet.command, bytes)
        return bytes
    }

    private mutating func execute(_ request: OwnBoardMessage) -> OwnBoardMessage {
        let count = hardware.channelCount
        switch request {
        case .identify:
            return .identity(.init(protocolVersion: protocolVersion, firmware: (1, 0, 0), channelCount: UInt8(count),
                                   capabilities: [.itemSensors, .indicators, .buzzer], bootID: bootID, model: "SIM-\(count)"))
        case .readStatus:
            let (doors, items) = hardware.readDoors()
            return .status(.init(bootID: bootID, doorOpen: doors, itemPresent: items,
                                 latchReleased: Array(repeating: false, count: count)))
        case .unlock(let channel, _):
            guard (1...count).contains(Int(channel)) else { return .unlocked(channel: channel, result: .channelOutOfRange) }
            return .unlocked(channel: channel, result: hardware.pulse(Int(channel)) ? .pulsed : .latchFault)
        case .readEvents(let acknowledged):
            // Drop what the host has stored, send the rest (at least once; the host dedups by number).
            if let index = events.firstIndex(where: { $0.number == acknowledged }) { events.removeFirst(index + 1) }
            // At most 28 events fit in one 200-byte payload; the rest come with the next read.
            return .events(Array(events.prefix(28)))
        case .readEventsOfBoot(let boot, let acknowledged):
            // Version 2: an acknowledgement from another boot drops nothing.
            if boot == bootID, let index = events.firstIndex(where: { $0.number == acknowledged }) { events.removeFirst(index + 1) }
            return .eventsOfBoot(bootID: bootID, events: Array(events.prefix(28)))
        case .setIndicator(let channel, let pattern):
            return .indicatorSet(channel: channel, pattern: pattern)
        case .buzzer(let pattern, _):
            return .buzzerSet(pattern: pattern)
        case .readTemperatures:
            return .temperatures(hardware.readTemperatures())
        case .setRelay(let relay, _):
            return .error(failedCommand: 0x05, code: relay == 0 ? .channelOutOfRange : .hardwareFault)
        case .identity, .status, .unlocked, .temperatures, .relaySet, .indicatorSet, .buzzerSet, .events,
             .unsolicitedEvents, .eventsOfBoot, .error:
            return .error(failedCommand: request.packet(address: 0, sequence: 0).command, code: .unknownCommand)
        }
    }
}
