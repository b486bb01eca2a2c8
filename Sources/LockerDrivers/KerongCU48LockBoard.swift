public import LockerHAL
public import LockerWire

/// A Kerong KR-CU48 / CU48B lock board on a `SerialBus`.
///
/// The board never reports on its own, and the public notes do not say whether it answers an
/// unlock, so:
/// - `unlock` sends the unlock frame once and waits for whatever comes first: a complete frame
///   from this board (taken as the unlock's answer and consumed) or one reply timeout. Either is
///   accepted. It then reads the status until the lock reads open or the bus's reply timeout has
///   passed. A status read that fails throws `HardwareError.boardNotAnswering`. A lock that still
///   reads closed is *not* an error: the board took the command, and a latch that did not open is
///   the daemon's door watch to detect, as for every other board family.
/// - Door and item changes are found by polling (`pollOnce`): each poll reads the status and
///   diffs it against the previous poll. The first successful poll only sets the baseline
///   (start-up reconciliation uses `readStatus`). `readStatus` and `unlock` never move the
///   baseline, so a door seen open while confirming an unlock is still reported by the next poll.
///
/// The unlock frame carries no sequence number, so it is never resent, whatever the board
/// answers; only status reads are retried by the bus. `pulseMilliseconds` is ignored: the CU48
/// sets its pulse time on the board.
public actor KerongCU48LockBoard: PolledLockBoard {
    /// The link speed of the public notes (8N1).
    public static let defaultBaud = 19_200
    /// Board address bytes on one chain (the public notes give no narrower range).
    public static let addresses = KerongCU48Frame.boards
    /// Locks of one board.
    public static let maximumChannelCount = KerongCU48Frame.locks.upperBound

    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated let hasItemSensors: Bool
    public nonisolated let polarity: KerongLockPolarity
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    private var poller = StatusPoller()

    /// - Parameters:
    ///   - address: the board address byte as sent on the wire, 0-255.
    ///   - channelCount: locks in use, 1-48.
    ///   - polarity: what a set lock bit means; the sheet's meaning is `.setMeansClosed`.
    ///   - hasItemSensors: whether the item sensors are fitted.
    ///   - pollIntervalMilliseconds: the pause between two status polls of `run`, at least 1.
    /// - Throws: `HardwareError.io` naming the setting when the address, channel count or poll
    ///   interval is out of range.
    public init(address: Int, channelCount: Int = 48, polarity: KerongLockPolarity = .setMeansClosed,
                hasItemSensors: Bool, bus: SerialBus, pollIntervalMilliseconds: Int = 250) throws {
        let device = "Kerong CU48 board \(address)"
        guard Self.addresses.contains(address) else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "board address \(address) is outside 0-255 (one byte on the wire)")
        }
        guard (1...Self.maximumChannelCount).contains(channelCount) else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "\(channelCount) channels configured, the board has 1-48")
        }
        guard pollIntervalMilliseconds > 0 else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "poll interval \(pollIntervalMilliseconds) ms, it must be at least 1 ms")
        }
        self.address = address
        self.channelCount = channelCount
        self.polarity = polarity
        self.hasItemSensors = hasItemSensors
        self.bus = bus
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    private nonisolated var device: String { "Kerong CU48 board \(address)" }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        guard (1...channelCount).contains(channel) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        }
        let board = address
        let frame = KerongCU48Codec.encode(.unlock(board: board, lock: channel))
        // The closure must never give up (return nil on the bus's last read), or the bus would
        // resend the unlock: it accepts silence, a reply from this board, or, once a reply timeout
        // has passed since the call, a partial frame (its rest is discarded by the next transaction).
        let window = Duration.milliseconds(bus.timing.replyTimeoutMilliseconds)
        let giveUp = ContinuousClock.now + window
        try await bus.transact(frame, board: address, device: device, retries: 0) { buffer in
            var decoder = KerongCU48Codec()
            while let result = decoder.decode(&buffer) {
                // Echoes of requests, other boards' frames and noise are skipped.
                if case .frame(let reply) = result, !reply.isRequest, reply.board == board { return () }
            }
            return buffer.isEmpty || ContinuousClock.now >= giveUp ? () : nil
        }

        try await StatusPoller.confirmOpen(channel: channel, board: address, window: window) { try await readStatus() }
    }

    /// Inert already: the board times each latch pulse itself (a board setting) and the protocol has no command to
    /// end one early, and no
    /// latch stays energised between pulses. Nothing to send.
    public func releaseAll() async {}

    public func readStatus() async throws -> LockBoardStatus {
        let board = address
        let request = KerongCU48Codec.encode(.statusRequest(board: board))
        let reply: KerongCU48Frame = try await bus.transact(request, board: board, device: device) { buffer in
            var decoder = KerongCU48Codec()
            while let result = decoder.decode(&buffer) {
                // Skip noise, echoes of requests and other boards' replies.
                if case .frame(let frame) = result, case .status(board, _, _) = frame { return frame }
            }
            return nil
        }
        let doors = reply.doorsOpen(polarity: polarity) ?? []
        let items = reply.itemsPresent ?? []
        return LockBoardStatus(doorOpen: Array(doors.prefix(channelCount)),
                               itemPresent: hasItemSensors ? Array(items.prefix(channelCount)) : nil)
    }

    /// Reads the status once and delivers what changed since the previous poll; reports the
    /// board lost when it stops answering and back when it answers again (then the changes made
    /// meanwhile).
    public func pollOnce(delivering handler: any HardwareEventHandler) async {
        let poll: Result<LockBoardStatus, any Error>
        do { poll = .success(try await readStatus()) } catch { poll = .failure(error) }
        for event in poller.events(after: poll, board: address) { await handler.handle(event) }
    }
}
