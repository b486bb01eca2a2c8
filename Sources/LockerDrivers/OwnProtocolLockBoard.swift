public import LockerHAL
public import LockerWire

/// A lock board speaking our own protocol (firmware-protocol/PROTOCOL.md) on a `SerialBus`.
///
/// Every request gets a new sequence number; the bus retries with the same bytes, so a retried
/// UNLOCK whose reply was lost is not executed twice by the board. Door changes are read as
/// numbered events (`pollOnce`), so an open–take–close between two polls is still seen.
public actor OwnProtocolLockBoard: PolledLockBoard {
    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated let hasItemSensors: Bool
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    /// Starts at a random value: after a daemon restart, a board's retry cache must not mistake
    /// the first request for a repeat of the last one before the restart.
    private var sequence = UInt8.random(in: 1...255)
    private var lastEventNumber: UInt8 = 0
    /// The board's boot id as last read: a new one means the board restarted and its event
    /// numbers started again.
    private var bootID: UInt16?
    private var answering = true

    public init(address: Int, channelCount: Int, hasItemSensors: Bool, bus: SerialBus, pollIntervalMilliseconds: Int = 250) {
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
            throw HardwareError.io(device: "board \(address)", operation: "unlock channel \(channel)", detail: "the board reports a latch fault (coil open or shorted)")
        }
    }

    /// Inert already: the firmware times each pulse it was asked for and de-energises the latch itself (see
    /// firmware-protocol/PROTOCOL.md); the protocol has no command to end one early, and no
    /// latch stays energised between pulses. Nothing to send.
    public func releaseAll() async {}

    public func readStatus() async throws -> LockBoardStatus {
        let reply = try await request(.readStatus)
        guard case .status(let status) = reply else {
            throw HardwareError.io(device: "board \(address)", operation: "read status", detail: "unexpected reply \(reply)")
        }
        if bootID != status.bootID {
            // A restarted board numbers its events from 1 again: forget ours, or a new event that
            // happens to carry the old number would be taken for one already stored.
            bootID = status.bootID
            lastEventNumber = 0
        }
        guard status.doorOpen.count >= channelCount else {
            throw HardwareError.io(device: "board \(address)", operation: "read status",
                                   detail: "board has \(status.doorOpen.count) channels, \(channelCount) configured")
        }
        return LockBoardStatus(doorOpen: Array(status.doorOpen.prefix(channelCount)),
                               itemPresent: hasItemSensors ? Array(status.itemPresent.prefix(channelCount)) : nil)
    }

    /// Reads the board's queued door and item events once and delivers them; reports the board
    /// lost when it stops answering and back when it answers again.
    public func pollOnce(delivering handler: any HardwareEventHandler) async {
        let reply: OwnBoardMessage
        do {
            reply = try await request(.readEvents(acknowledgeUpTo: lastEventNumber))
        } catch {
            if answering {
                answering = false
                await handler.handle(.boardLost(board: address, detail: "\(error)"))
            }
            return
        }
        if !answering {
            answering = true
            await handler.handle(.boardBack(board: address))
        }
        guard case .events(let events) = reply else { return }
        for event in events where event.number != lastEventNumber {
            lastEventNumber = event.number
            let channel = Int(event.channel)
            guard (1...channelCount).contains(channel) || event.kind == .eventsLost else {
                // A channel this configuration does not have: not ours to report.
                continue
            }
            switch event.kind {
            case .doorOpened: await handler.handle(.doorChanged(board: address, channel: channel, isOpen: true))
            case .doorClosed: await handler.handle(.doorChanged(board: address, channel: channel, isOpen: false))
            case .itemPresent: await handler.handle(.itemChanged(board: address, channel: channel, isPresent: true))
            case .itemRemoved: await handler.handle(.itemChanged(board: address, channel: channel, isPresent: false))
            case .latchFault, .eventsLost:
                // Lost events or a fault: only a fresh status read can be trusted now.
                await handler.handle(.boardLost(board: address, detail: "board reports \(event.kind)"))
                await handler.handle(.boardBack(board: address))
            }
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
