public import LockerHAL
public import LockerWire
public import Logging

/// A lock board speaking our own protocol (firmware-protocol/PROTOCOL.md) on a `SerialBus`.
///
/// Every request gets a new sequence number; the bus retries with the same bytes, so a retried
/// UNLOCK whose reply was lost is not executed twice by the board. Door changes are read as
/// numbered events (`pollOnce`), so an open–take–close between two polls is still seen.
///
/// What one board says wrong never takes the whole board offline: an event of a kind this host
/// does not know, for a channel it does not have, or numbered 0 (reserved) is skipped with a log
/// line (and acknowledged, so the board stops repeating it); an events reply whose payload cannot
/// be read is logged and the board stays online; a latch fault (UNLOCK result 02, or a latch
/// fault event) is that channel's only (`HardwareError.latchFault`, `HardwareEvent.latchFault`).
///
/// A board that restarted is noticed and reported lost and back, so the daemon re-reads and
/// reconciles every door of it (a door opened while it was off is an alarm there). The protocol
/// version is negotiated with IDENTIFY at first contact and after every silence: a version 2
/// board carries its boot id in every READ EVENTS reply and ties the acknowledgement to it; a
/// version 1 board's boot id is read with READ STATUS every `statusCheckPolls` polls.
public actor OwnProtocolLockBoard: PolledLockBoard {
    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated let hasItemSensors: Bool
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    /// The bus's: polls wait while someone is at the keypad.
    public nonisolated var pollDeferral: PollDeferral? { bus.pollDeferral }
    /// Starts at a random value: after a daemon restart, a board's retry cache must not mistake
    /// the first request for a repeat of the last one before the restart.
    private var sequence = UInt8.random(in: 1...255)
    private var lastEventNumber: UInt8 = 0
    /// The board's boot id as last read: a new one means the board restarted and its event
    /// numbers started again.
    private var bootID: UInt16?
    /// `boardLost` was delivered for the silence in progress (once per silence).
    private var lostReported = false
    /// A poll or a status read the daemon asked for failed (the daemon marks the board lost for
    /// the latter itself): the next poll the board answers reports it back.
    private var owesBack = false
    /// The protocol version in use with this board: nil until IDENTIFY has answered.
    public private(set) var protocolVersion: UInt8?
    /// A boot id change seen by any read, waiting to be reported by the next poll.
    private var restartNotice: String?
    private var pollsSinceStatusCheck = 0
    /// How often a version 1 board's boot id is checked (it has no other way to show a restart).
    public nonisolated let statusCheckPolls = 4
    /// The last unreadable events reply logged: a board repeats an event until it is
    /// acknowledged, so the same one is logged once, not every poll.
    private var lastUnreadableReply: String?
    private let logger: Logger

    public init(address: Int, channelCount: Int, hasItemSensors: Bool, bus: SerialBus, pollIntervalMilliseconds: Int = 250,
                logger: Logger = Logger(label: "lockerd.board.own-protocol")) {
        var logger = logger
        logger[metadataKey: "board.address"] = "\(address)"
        self.logger = logger
        self.address = address
        self.channelCount = channelCount
        self.hasItemSensors = hasItemSensors
        self.bus = bus
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        guard (1...channelCount).contains(channel) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        }
        let reply = try await request(.unlock(channel: UInt8(channel), pulseMilliseconds: UInt16(clamping: pulseMilliseconds)))
        guard case .unlocked(let echoed, let result) = reply, echoed == UInt8(channel) else {
            throw HardwareError.io(device: "board \(address)", operation: "unlock channel \(channel)", detail: "unexpected reply \(reply)")
        }
        switch result {
        case .pulsed: return
        case .channelOutOfRange:
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        case .latchFault:
            throw HardwareError.latchFault(board: address, channel: channel, detail: "UNLOCK result 02: coil open or shorted")
        }
    }

    /// Inert already: the firmware times each pulse it was asked for and de-energises the latch itself (see
    /// firmware-protocol/PROTOCOL.md); the protocol has no command to end one early, and no
    /// latch stays energised between pulses. Nothing to send.
    public func releaseAll() async {}

    /// A status read for the daemon: a failure is the daemon's to report (it marks the board
    /// lost), so the next poll the board answers reports it back. Otherwise a board silent only
    /// during lockerd's start-up read would stay offline in the daemon while every poll succeeds.
    public func readStatus() async throws -> LockBoardStatus {
        do {
            return try await fetchStatus()
        } catch {
            owesBack = true
            protocolVersion = nil
            throw error
        }
    }

    private func fetchStatus() async throws -> LockBoardStatus {
        let reply = try await request(.readStatus)
        guard case .status(let status) = reply else {
            throw HardwareError.io(device: "board \(address)", operation: "read status", detail: "unexpected reply \(reply)")
        }
        noteBootID(status.bootID)
        guard status.doorOpen.count >= channelCount else {
            throw HardwareError.io(device: "board \(address)", operation: "read status",
                                   detail: "board has \(status.doorOpen.count) channels, \(channelCount) configured")
        }
        return LockBoardStatus(doorOpen: Array(status.doorOpen.prefix(channelCount)),
                               itemPresent: hasItemSensors ? Array(status.itemPresent.prefix(channelCount)) : nil)
    }

    /// Reads the board's queued door and item events once and delivers them; reports the board
    /// lost when it stops answering and back when it answers again, and lost-and-back when it
    /// restarted (the daemon then re-reads every door).
    public func pollOnce(delivering handler: any HardwareEventHandler) async {
        let reply: OwnBoardMessage
        do {
            if protocolVersion == nil { try await identify() }
            if protocolVersion == 1 {
                pollsSinceStatusCheck += 1
                if pollsSinceStatusCheck >= statusCheckPolls {
                    pollsSinceStatusCheck = 0
                    _ = try await fetchStatus()
                }
            }
            if protocolVersion ?? 1 >= 2 {
                reply = try await request(.readEventsOfBoot(bootID: bootID ?? 0, acknowledgeUpTo: lastEventNumber))
            } else {
                reply = try await request(.readEvents(acknowledgeUpTo: lastEventNumber))
            }
        } catch let unreadable as OwnBoardMessage.DecodingError {
            // The board answered (the packet's CRC was good) with a payload this host cannot read:
            // the board is there, and one bad reply is no reason to stop using its other doors.
            await answered(handler)
            if lastUnreadableReply != "\(unreadable)" {
                lastUnreadableReply = "\(unreadable)"
                logger.error("events reply skipped: its payload cannot be read", metadata: ["error": "\(unreadable)"])
            }
            return
        } catch {
            owesBack = true
            if !lostReported {
                lostReported = true
                // It may come back as another board (a firmware update): ask again.
                protocolVersion = nil
                await handler.handle(.boardLost(board: address, detail: "\(error)"))
            }
            return
        }
        await answered(handler)
        lastUnreadableReply = nil
        let events: [OwnBoardMessage.Event]
        switch reply {
        case .events(let list): events = list
        case .eventsOfBoot(let boot, let list):
            noteBootID(boot)
            events = list
        default: return
        }
        if let notice = restartNotice {
            // Whatever happened while it restarted is known only to a fresh status read.
            restartNotice = nil
            logger.warning("board restarted", metadata: ["detail": "\(notice)"])
            await handler.handle(.boardLost(board: address, detail: notice))
            await handler.handle(.boardBack(board: address))
        }
        await deliver(events, to: handler)
    }

    /// Asks the board which protocol version it speaks (and its boot id); a board that refuses
    /// IDENTIFY speaks version 1.
    private func identify() async throws {
        do {
            guard case .identity(let identity) = try await request(.identify) else { return }
            protocolVersion = min(identity.protocolVersion, OwnBoardPacket.knownVersions.upperBound)
            noteBootID(identity.bootID)
        } catch HardwareError.io {
            protocolVersion = 1
            // Asked at start and after every silence: the board may have restarted meanwhile, and
            // a version 1 board would take our old acknowledgement for its new events and drop
            // them. Its boot id is read (READ STATUS) before any READ EVENTS acknowledges anything.
            pollsSinceStatusCheck = statusCheckPolls - 1
        }
    }

    /// A boot id read from the board. A new one (after a known one) means the board restarted:
    /// its event numbers started again, so ours is forgotten, and the restart is reported.
    private func noteBootID(_ seen: UInt16) {
        guard seen != bootID else { return }
        if let known = bootID {
            restartNotice = "board restarted (boot id \(known) became \(seen))"
        }
        bootID = seen
        lastEventNumber = 0
    }

    private func deliver(_ events: [OwnBoardMessage.Event], to handler: any HardwareEventHandler) async {
        for event in events where event.number != lastEventNumber {
            guard event.number != 0 else {
                // Number 0 is reserved (PROTOCOL.md): no real event carries it.
                logger.warning("event numbered 0 skipped: the number is reserved", metadata: ["event": "\(event)"])
                continue
            }
            lastEventNumber = event.number
            guard event.kind.isKnown else {
                logger.warning("event of an unknown kind skipped", metadata: ["event": "\(event)"])
                continue
            }
            let channel = Int(event.channel)
            guard (1...channelCount).contains(channel) || event.kind == .eventsLost else {
                logger.warning("event for a channel this board does not have skipped", metadata: [
                    "event": "\(event)", "board.channels": "\(channelCount)",
                ])
                continue
            }
            switch event.kind {
            case .doorOpened: await handler.handle(.doorChanged(board: address, channel: channel, isOpen: true))
            case .doorClosed: await handler.handle(.doorChanged(board: address, channel: channel, isOpen: false))
            case .itemPresent: await handler.handle(.itemChanged(board: address, channel: channel, isPresent: true))
            case .itemRemoved: await handler.handle(.itemChanged(board: address, channel: channel, isPresent: false))
            case .latchFault:
                await handler.handle(.latchFault(board: address, channel: channel, detail: "the board reports a latch fault event"))
            default:
                // Events were lost: only a fresh status read can be trusted now (the daemon
                // re-reads and reconciles every door of a board that comes back).
                await handler.handle(.boardLost(board: address, detail: "board reports \(event.kind)"))
                await handler.handle(.boardBack(board: address))
            }
        }
    }

    private func answered(_ handler: any HardwareEventHandler) async {
        guard owesBack else { return }
        lostReported = false
        owesBack = false
        await handler.handle(.boardBack(board: address))
    }

    /// Lights the LED of one channel (SET INDICATOR): `blink` for the door that just opened.
    public func setIndicator(channel: Int, to pattern: LightPattern) async throws {
        let code: UInt8 = switch pattern {
        case .off: 0
        case .on: 1
        case .blink: 2
        }
        let reply = try await request(.setIndicator(channel: UInt8(clamping: channel), pattern: code))
        guard case .indicatorSet(UInt8(clamping: channel), code) = reply else {
            throw HardwareError.io(device: "board \(address)", operation: "set indicator \(channel)", detail: "unexpected reply \(reply)")
        }
    }

    /// Switches one of the board's relays (SET RELAY), e.g. a cold zone's compressor.
    public func setRelay(_ relay: Int, on: Bool) async throws {
        let reply = try await request(.setRelay(relay: UInt8(clamping: relay), on: on))
        guard case .relaySet(UInt8(clamping: relay), on) = reply else {
            throw HardwareError.io(device: "board \(address)", operation: "set relay \(relay)", detail: "unexpected reply \(reply)")
        }
    }

    /// The board's temperature probes (READ TEMPERATURES, firmware-protocol §5): one transaction
    /// for all of them, on the same bus as the latches.
    public func readTemperatures() async throws -> [OwnBoardMessage.Temperature] {
        let reply = try await request(.readTemperatures)
        guard case .temperatures(let readings) = reply else {
            throw HardwareError.io(device: "board \(address)", operation: "read temperatures", detail: "unexpected reply \(reply)")
        }
        return readings
    }

    private func request(_ message: OwnBoardMessage) async throws -> OwnBoardMessage {
        // Sequence 0 is reserved for unsolicited events.
        sequence = sequence == 255 ? 1 : sequence + 1
        let expected = sequence
        let boardAddress = UInt8(address)
        // A leading delimiter (an empty frame, ignored) ends any noise the boards' receivers caught
        // while the line was idle, so this request is never glued to it.
        let frame = [0] + message.packet(address: boardAddress, sequence: expected).frame
        let packet = try await bus.transact(frame, board: address, device: "board \(address)") { buffer in
            var decoder = OwnBoardDecoder()
            while let result = decoder.decode(&buffer) {
                if case .frame(let packet) = result, packet.isFromBoard, packet.address == boardAddress,
                   packet.sequence == expected {
                    return packet
                }
            }
            return nil
        }
        let reply = try OwnBoardMessage(packet: packet)
        if case .error(let failed, let code) = reply {
            throw HardwareError.io(device: "board \(address)", operation: "command \(failed)", detail: "board answered \(code)")
        }
        return reply
    }
}
