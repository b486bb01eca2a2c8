public import LockerWire

/// The board side of the generic "8A/80" lock board, built on the same codec the driver uses: it
/// turns request bytes into reply bytes for one simulated board, so the driver can be tested over
/// a pseudo-terminal.
///
/// As the real board: "open one" pulses the channel and answers with the channel's feedback after
/// the pulse (status 11 or 00 under `polarity`); "open all" pulses every channel and answers with
/// channel 00 (feedback set only when every channel reads open); "read all" answers with every
/// channel's feedback bit. "Read one" is not answered (its reply shape is not documented), nor
/// are channels beyond `channelCount`, frames for other addresses, or garbage.
public struct SimulatedEightABoard: Sendable {
    /// What the board can see and do; the simulated cabinet or the test provides it.
    public struct Hardware: Sendable {
        public var channelCount: Int
        /// Door (lock) states; index 0 is channel 1, missing entries read closed.
        public var readDoors: @Sendable () -> [Bool]
        /// Pulses channel `channel` (1-24).
        public var pulse: @Sendable (_ channel: Int) -> Void

        public init(channelCount: Int, readDoors: @escaping @Sendable () -> [Bool],
                    pulse: @escaping @Sendable (Int) -> Void) {
            self.channelCount = channelCount
            self.readDoors = readDoors
            self.pulse = pulse
        }
    }

    /// The DIP address, 1-31.
    public let address: Int
    public let polarity: EightAFeedbackPolarity
    let hardware: Hardware
    private var receiver = SimulatedBusReceiver(EightACodec(decoding: .requests))
    /// Requests to this board that were executed, in order, for tests (the most recent ones,
    /// see `RecentLog`).
    public var executed: [EightAFrame] { executedLog.recent }
    private var executedLog = RecentLog<EightAFrame>()
    /// Frames dropped as garbage, with the decoder's reason.
    public var garbage: [String] { receiver.garbage }

    /// - Precondition: `address` is 1-31, the channel count 1-24.
    public init(address: Int, polarity: EightAFeedbackPolarity = .setMeansOpen, hardware: Hardware) {
        precondition(EightAFrame.boards.contains(address), "8A/80 board address \(address) is outside 1-31")
        precondition(EightAFrame.channels.contains(hardware.channelCount), "8A/80 boards have 1-24 channels")
        self.address = address
        self.polarity = polarity
        self.hardware = hardware
    }

    /// Feeds bytes from the bus; returns the bytes the board transmits in answer.
    public mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
        receiver.frames(from: bytes).flatMap { answer($0) }
    }

    private mutating func answer(_ frame: EightAFrame) -> [UInt8] {
        guard frame.isRequest, frame.board == address else { return [] }
        let channels = 1...hardware.channelCount
        switch frame {
        case .open(_, let channel):
            guard channels.contains(channel) else { return [] }
            executedLog.append(frame)
            hardware.pulse(channel)
            let open = doors()[channel - 1]
            return EightACodec.encode(.openReply(board: address, channel: channel, feedbackSet: polarity.feedback(open: open)))
        case .openAll:
            executedLog.append(frame)
            for channel in channels { hardware.pulse(channel) }
            let allOpen = doors().allSatisfy { $0 }
            return EightACodec.encode(.openReply(board: address, channel: nil, feedbackSet: polarity.feedback(open: allOpen)))
        case .readAll:
            executedLog.append(frame)
            return EightACodec.encode(.readAllReply(board: address, channelsOpen: doors(), polarity: polarity))
        case .read, .openReply, .readAllReply:
            return []
        }
    }

    /// Exactly `channelCount` states (missing entries closed, extra ones ignored).
    private func doors() -> [Bool] {
        let read = hardware.readDoors()
        return (0..<hardware.channelCount).map { $0 < read.count && read[$0] }
    }
}
