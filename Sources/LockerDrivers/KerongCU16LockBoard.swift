public import LockerHAL
public import LockerWire

/// A Kerong KR-CU16 lock board (also CU12, NCU16L) on a `SerialBus`.
///
/// The board never reports on its own and does not answer an unlock, so:
/// - `unlock` sends the unlock frame, then reads the status until the lock reads open or the
///   bus's reply timeout has passed. A status read that fails throws
///   `HardwareError.boardNotAnswering`. A lock that still reads closed is *not* an error: the
///   board took the command (the pulse time is a board setting), and a latch that did not open
///   is the daemon's door watch to detect, as for every other board family.
/// - Door and item changes are found by polling (`pollOnce`): each poll reads the status and
///   diffs it against the previous poll. The first successful poll only sets the baseline
///   (start-up reconciliation uses `readStatus`). `readStatus` and `unlock` never move the
///   baseline, so a door seen open while confirming an unlock is still reported by the next poll.
///
/// The unlock frame carries no sequence number and has no reply, so it is sent exactly once;
/// only status reads are retried by the bus. `pulseMilliseconds` is ignored: the CU16 sets its
/// pulse time on the board.
public actor KerongCU16LockBoard: PolledLockBoard {
    /// The link speed most boards ship with (some use 9600; it is a board setting).
    public static let defaultBaud = 19_200
    /// Board ids on one chain (DIP switch).
    public static let addresses = KerongCU16Frame.boards
    /// Locks of one board.
    public static let maximumChannelCount = KerongCU16Frame.locks.upperBound

    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated let hasItemSensors: Bool
    public nonisolated let polarity: KerongLockPolarity
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    private var poller = StatusPoller()

    /// - Parameters:
    ///   - address: the board id, 0-9.
    ///   - channelCount: locks in use, 1-16 (16 on a CU16, 12 on a CU12).
    ///   - polarity: what a set lock bit means on this board revision.
    ///   - hasItemSensors: whether the infrared item sensors are fitted.
    /// - Throws: `HardwareError.io` naming the setting when the address or channel count is out
    ///   of range.
    public init(address: Int, channelCount: Int = 16, polarity: KerongLockPolarity, hasItemSensors: Bool,
                bus: SerialBus, pollIntervalMilliseconds: Int = 250) throws {
        let device = "Kerong CU16 board \(address)"
        guard Self.addresses.contains(address) else {
            throw HardwareError.io(device: device, operation: "configure", detail: "board id \(address) is outside 0-9")
        }
        guard (1...Self.maximumChannelCount).contains(channelCount) else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "\(channelCount) channels configured, the board has 1-16")
        }
        self.address = address
        self.channelCount = channelCount
        self.polarity = polarity
        self.hasItemSensors = hasItemSensors
        self.bus = bus
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    private nonisolated var device: String { "Kerong CU16 board \(address)" }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        guard (1...channelCount).contains(channel) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        }
        // No reply comes: the closure accepts after the first wait for bytes, which is one reply
        // timeout of silence (time the latch needs anyway). Anything that does arrive is left in
        // the bus buffer and discarded by the next transaction.
        let frame = KerongCU16Codec.encode(.unlock(board: address, lock: channel))
        try await bus.transact(frame, board: address, device: device, retries: 0) { _ in () }

        let window = Duration.milliseconds(bus.timing.replyTimeoutMilliseconds)
        try await StatusPoller.confirmOpen(channel: channel, board: address, window: window) { try await readStatus() }
    }

    /// Inert already: the board times each latch pulse itself (a board setting) and the protocol has no command to
    /// end one early, and no
    /// latch stays energised between pulses. Nothing to send.
    public func releaseAll() async {}

    public func readStatus() async throws -> LockBoardStatus {
        let board = address
        let request = KerongCU16Codec.encode(.statusRequest(board: board))
        let reply: KerongCU16Frame = try await bus.transact(request, board: board, device: device) { buffer in
            var decoder = KerongCU16Codec()
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

extension LockBoardStatus {
    /// The door and item events that lead from `previous` to this status, channel by channel
    /// (door before item), for drivers that find changes by polling.
    func changes(since previous: LockBoardStatus, board: Int) -> [HardwareEvent] {
        // Item changes first: an item can only change while its door is open, so when one poll
        // sees both, the item changed before the door closed, and the daemon must know what is
        // inside when it settles the closing door.
        var items: [HardwareEvent] = []
        var doors: [HardwareEvent] = []
        for index in doorOpen.indices {
            let channel = index + 1
            if index < previous.doorOpen.count, previous.doorOpen[index] != doorOpen[index] {
                doors.append(.doorChanged(board: board, channel: channel, isOpen: doorOpen[index]))
            }
            if let present = itemPresent, let before = previous.itemPresent, index < present.count, index < before.count,
               present[index] != before[index] {
                items.append(.itemChanged(board: board, channel: channel, isPresent: present[index]))
            }
        }
        return items + doors
    }
}
