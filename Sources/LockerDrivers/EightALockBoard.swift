public import LockerHAL
public import LockerWire

/// A generic "8A/80" RS-485 lock board (8, 16 or 24 channels, DIP address 1-31) on a `SerialBus`.
///
/// - `unlock` sends "open one" and waits for the board's open reply, which can take about half a
///   second: configure the bus with `recommendedTiming` (or a reply timeout of that order). The
///   reply's status is the lock feedback after the pulse, read through `polarity`; a lock that
///   still reports closed is *not* an error (the board executed the pulse; the daemon's door
///   watch handles a latch that did not open). Only a board that stops answering throws.
/// - `readStatus` always uses "read all": the reply to "read one" is not documented.
/// - Door changes are found by polling (`pollOnce`), each status read diffed against the previous
///   one, as for `KerongCU16LockBoard` (see `StatusPoller`).
///
/// The board has no item sensors and no sequence numbers, so the bus never retries an open. A
/// missing open reply is not a board failure: the driver reads the status; a lock that reads open
/// ends the unlock, one that reads closed (the request was likely lost) is pulsed once more, and
/// only a board that answers no status read either throws. `pulseMilliseconds` is ignored (the
/// board's pulse is fixed, 300 ms by default).
public actor EightALockBoard: PolledLockBoard {
    /// The link speed of the vendor sheet.
    public static let defaultBaud = 9_600
    /// Timing for a bus of these boards: the open reply can take ~500 ms (public drivers wait
    /// 1.5 s), and ~25 ms of silence separates frames.
    public static let recommendedTiming = SerialBus.Timing(
        replyTimeoutMilliseconds: 1_500, retries: 1, interFrameGapMilliseconds: 25)
    /// DIP-switch addresses.
    public static let addresses = EightAFrame.boards
    public static let maximumChannelCount = EightAFrame.channels.upperBound

    public nonisolated let address: Int
    public nonisolated let channelCount: Int
    public nonisolated var hasItemSensors: Bool { false }
    public nonisolated let polarity: EightAFeedbackPolarity
    public let pollIntervalMilliseconds: Int
    let bus: SerialBus
    /// The bus's: polls wait while someone is at the keypad.
    public nonisolated var pollDeferral: PollDeferral? { bus.pollDeferral }
    private var poller = StatusPoller()
    /// What the board reported in the reply to the last unlock (nil before any): whether the
    /// lock read open right after its pulse. For diagnostics and tests.
    public private(set) var lastUnlockReportedOpen: Bool?

    /// - Parameters:
    ///   - address: the DIP address, 1-31.
    ///   - channelCount: channels in use, 1-24.
    ///   - polarity: what a "set" feedback (status 11, a set bit) means for the fitted locks.
    /// - Throws: `HardwareError.io` naming the setting when the address or channel count is out
    ///   of range.
    public init(address: Int, channelCount: Int, polarity: EightAFeedbackPolarity, bus: SerialBus,
                pollIntervalMilliseconds: Int = 250) throws {
        let device = "8A/80 board \(address)"
        guard Self.addresses.contains(address) else {
            throw HardwareError.io(device: device, operation: "configure", detail: "address \(address) is outside 1-31")
        }
        guard (1...Self.maximumChannelCount).contains(channelCount) else {
            throw HardwareError.io(device: device, operation: "configure",
                                   detail: "\(channelCount) channels configured, the board has 1-24")
        }
        self.address = address
        self.channelCount = channelCount
        self.polarity = polarity
        self.bus = bus
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
    }

    private nonisolated var device: String { "8A/80 board \(address)" }

    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        guard (1...channelCount).contains(channel) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channelCount)
        }
        if try await open(channel) { return }
        // No open reply: the request or the reply was lost on the line, or the board is gone.
        // Only a board that does not answer a status read either is a board-wide failure
        // (`readStatus` throws `boardNotAnswering`); a lost reply is never one.
        let status = try await readStatus()
        if status.doorOpen[channel - 1] {
            lastUnlockReportedOpen = true
            return
        }
        // The lock still reads closed: most likely the request was lost. It is sent once more: a
        // second pulse of a closed lock only releases it again, whereas a lost request left alone
        // would quarantine a working door as a failed latch. If this reply is lost too, the door
        // watch judges whether the door opened.
        _ = try await open(channel)
    }

    /// Sends "open one" once (never resent by the bus: no sequence numbers, a retry would pulse
    /// again unasked). True when the board answered; false when no reply came in time.
    private func open(_ channel: Int) async throws -> Bool {
        let board = address
        do {
            let reply = try await transact(.open(board: board, channel: channel), retries: 0) { frame in
                if case .openReply(board, channel, _) = frame { frame } else { nil }
            }
            lastUnlockReportedOpen = reply.isOpen(polarity: polarity)
            return true
        } catch HardwareError.boardNotAnswering {
            lastUnlockReportedOpen = nil
            return false
        }
    }

    /// Inert already: the board times each latch pulse itself (fixed, 300 ms by default) and the protocol has no
    /// command to end one early, and no
    /// latch stays energised between pulses. Nothing to send.
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
        let reply = try await transact(.readAll(board: board)) { frame in
            if case .readAllReply(board, _) = frame { frame } else { nil }
        }
        let channels = reply.channelsOpen(polarity: polarity) ?? []
        let status = LockBoardStatus(doorOpen: Array(channels.prefix(channelCount)), itemPresent: nil)
        poller.observed(status, board: board)
        return status
    }

    /// Reads every channel once and delivers what changed since the previous read (this one, or
    /// any `readStatus` meanwhile); reports the board lost when it stops answering and back when
    /// it answers again (then the changes made meanwhile).
    public func pollOnce(delivering handler: any HardwareEventHandler) async {
        var failure: (any Error)?
        do { _ = try await fetchStatus() } catch { failure = error }
        for event in poller.events(afterPollFailure: failure, board: address) { await handler.handle(event) }
    }


    /// One request and the first reply frame `match` accepts; other frames and noise are skipped.
    private func transact(
        _ request: EightAFrame, retries: Int? = nil, match: @escaping @Sendable (EightAFrame) -> EightAFrame?
    ) async throws -> EightAFrame {
        try await bus.transact(EightACodec.encode(request), board: address, device: device, retries: retries) { buffer in
            var decoder = EightACodec(decoding: .replies)
            while let result = decoder.decode(&buffer) {
                if case .frame(let frame) = result, let accepted = match(frame) { return accepted }
            }
            return nil
        }
    }
}
