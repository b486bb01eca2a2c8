public import LockerHAL
public import LockerWire

/// A Kerong lock board on a `SerialBus`: KR-CU16 (also CU12, NCU16L) or KR-CU48 / CU48B, chosen
/// by `Codec` (see `KerongCU16LockBoard`, `KerongCU48LockBoard`). The models differ in frames,
/// limits and whether they may answer an unlock; the driving is the same:
///
/// The board never reports on its own, so:
/// - `unlock` sends the unlock frame once. A CU16 never answers it: the driver waits one reply
///   timeout of silence (time the latch needs anyway). A CU48 might (the public notes do not say):
///   the driver takes whatever comes first, a complete frame from this board (consumed) or one
///   reply timeout. It then reads the status until the lock reads open or the bus's reply timeout
///   has passed. A status read that fails throws `HardwareError.boardNotAnswering`. A lock that
///   still reads closed is *not* an error: the board took the command (the pulse time is a board
///   setting), and a latch that did not open is the daemon's door watch to detect, as for every
///   other board family.
/// - Door and item changes are found by polling (`pollOnce`): each status read (a poll, the
///   confirming reads of `unlock`, the daemon's `readStatus`) is diffed against the previous
///   read, and the next poll delivers the changes (see `StatusPoller`). A door seen open only
///   while confirming an unlock is therefore reported open, then closed.
///
/// The unlock frame carries no sequence number, so it is never resent, whatever the board
/// answers; only status reads are retried by the bus. `pulseMilliseconds` is ignored: Kerong
/// boards set their pulse time on the board.
public actor KerongLockBoard<Codec: KerongCodec>: PolledLockBoard {
    public typealias Frame = Codec.Frame

    /// The link speed of the public notes and most boards as shipped (some use 9600; it is a
    /// board setting).
    public static var defaultBaud: Int { 19_200 }
    /// Board addresses on one chain (CU16: DIP id 0-9; CU48: any byte).
    public static var addresses: ClosedRange<Int> { Frame.boards }
    /// Locks of one board.
    public static var maximumChannelCount: Int { Frame.locks.upperBound }

    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated let hasItemSensors: Bool
    public nonisolated let polarity: KerongLockPolarity
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    /// The bus's: polls wait while someone is at the keypad.
    public nonisolated var pollDeferral: PollDeferral? { bus.pollDeferral }
    private var poller = StatusPoller()

    /// - Parameters:
    ///   - address: the board address as sent on the wire (`addresses`).
    ///   - channelCount: locks in use, 1 to `maximumChannelCount` (a CU12 uses 12 of 16).
    ///   - polarity: what a set lock bit means on this board revision (default: the model's).
    ///   - hasItemSensors: whether the item (infrared) sensors are fitted.
    ///   - pollIntervalMilliseconds: the pause between two status polls of `run`, at least 1.
    /// - Throws: `HardwareError.io` naming the setting when the address, channel count or poll
    ///   interval is out of range.
    public init(address: Int, channelCount: Int = Frame.locks.upperBound, polarity: KerongLockPolarity = Codec.defaultPolarity,
                hasItemSensors: Bool, bus: SerialBus, pollIntervalMilliseconds: Int = 250) throws {
        let device = "\(Codec.family) board \(address)"
        guard Self.addresses.contains(address) else {
            let range = "\(Self.addresses.lowerBound)-\(Self.addresses.upperBound)"
            throw HardwareError.io(device: device, operation: "configure", detail: "board address \(address) is outside \(range)")
        }
        guard (1...Self.maximumChannelCount).contains(channelCount) else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "\(channelCount) channels configured, the board has 1-\(Self.maximumChannelCount)")
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

    private nonisolated var device: String { "\(Codec.family) board \(address)" }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        guard (1...channelCount).contains(channel) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        }
        let board = address
        let frame = Codec.encode(Frame.unlock(board: board, lock: channel))
        let window = Duration.milliseconds(bus.timing.replyTimeoutMilliseconds)
        if Codec.mayAnswerUnlock {
            // The closure must never give up (return nil on the bus's last read), or the bus would
            // resend the unlock: it accepts silence, a reply from this board, or, once a reply
            // timeout has passed since the call, a partial frame (its rest is discarded by the next
            // transaction).
            let giveUp = ContinuousClock.now + window
            try await bus.transact(frame, board: board, device: device, retries: 0) { buffer in
                var decoder = Codec()
                while let result = decoder.decode(&buffer) {
                    // Echoes of requests, other boards' frames and noise are skipped.
                    if case .frame(let reply) = result, reply.request == nil, reply.addressedBoard == board { return () }
                }
                return buffer.isEmpty || ContinuousClock.now >= giveUp ? () : nil
            }
        } else {
            // No reply comes: the closure accepts after the first wait for bytes, which is one
            // reply timeout of silence. Anything that does arrive is left in the bus buffer and
            // discarded by the next transaction.
            try await bus.transact(frame, board: board, device: device, retries: 0) { _ in () }
        }
        try await StatusPoller.confirmOpen(channel: channel, board: board, window: window) { try await readStatus() }
    }

    /// Inert already: the board times each latch pulse itself (a board setting), the protocol has
    /// no command to end one early, and no latch stays energised between pulses. Nothing to send.
    public func releaseAll() async {}

    /// A status read for the daemon: a failure is the daemon's to report (it marks the board
    /// lost), and the poller says so when the board answers again (`StatusPoller.readFailed`).
    public func readStatus() async throws -> LockBoardStatus {
        do {
            return try await fetchStatus()
        } catch {
            poller.readFailed()
            throw error
        }
    }

    private func fetchStatus() async throws -> LockBoardStatus {
        let board = address
        let request = Codec.encode(Frame.statusRequest(board: board))
        let reply: Frame = try await bus.transact(request, board: board, device: device) { buffer in
            var decoder = Codec()
            while let result = decoder.decode(&buffer) {
                // Skip noise, echoes of requests and other boards' replies.
                if case .frame(let frame) = result, frame.statusReplyBoard == board { return frame }
            }
            return nil
        }
        let doors = reply.doorsOpen(polarity: polarity) ?? []
        let items = reply.itemsPresent ?? []
        let status = LockBoardStatus(doorOpen: Array(doors.prefix(channelCount)),
                                     itemPresent: hasItemSensors ? Array(items.prefix(channelCount)) : nil)
        poller.observed(status, board: board)
        return status
    }

    /// Reads the status once and delivers what changed since the previous read (this one, or a
    /// confirming or reconciliation read meanwhile); reports the board lost when it stops
    /// answering and back when it answers again (then the changes made meanwhile).
    public func pollOnce(delivering handler: any HardwareEventHandler) async {
        var failure: (any Error)?
        do { _ = try await fetchStatus() } catch { failure = error }
        for event in poller.events(afterPollFailure: failure, board: address) { await handler.handle(event) }
    }
}

/// A Kerong KR-CU16 / CU12 / NCU16L board: ids 0-9, 16 locks, never answers an unlock.
public typealias KerongCU16LockBoard = KerongLockBoard<KerongCU16Codec>
/// A Kerong KR-CU48 / CU48B board: one address byte, 48 locks; its sheet reads a set bit as closed.
public typealias KerongCU48LockBoard = KerongLockBoard<KerongCU48Codec>
