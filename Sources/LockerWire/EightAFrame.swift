/// One frame of the generic "8A/80" 24-channel RS-485 lock board.
///
/// Wire shapes (hex; BCC = XOR of every preceding byte; AA = board address 01-1F from the DIP
/// switch; CC = channel 01-18, i.e. 1-24, or 00 for "all"):
///
/// | Frame           | Bytes                     | Direction |
/// |-----------------|---------------------------|-----------|
/// | `.open`         | `8A AA CC 11 BCC`         | request   |
/// | `.openAll`      | `8A AA 00 11 BCC`         | request   |
/// | `.read`         | `80 AA CC 33 BCC`         | request   |
/// | `.readAll`      | `80 AA 00 33 BCC`         | request   |
/// | `.openReply`    | `8A AA CC ST BCC`         | reply     |
/// | `.readAllReply` | `80 AA S3 S2 S1 33 BCC`   | reply     |
///
/// The reply to an open echoes the request with a status ST of 11 ("set") or 00 ("clear"), so
/// an open request and a reply with ST 11 are the same bytes: `EightACodec` decodes one
/// direction at a time. In the reply to read all, S1 holds channels 1-8 (bit 0 = channel 1),
/// S2 channels 9-16 and S3 channels 17-24; an 8-channel board still sends all three bytes.
/// What ST and the bits mean (open or closed) is `EightAFeedbackPolarity`.
///
/// The reply to reading one channel is not modelled: the public notes do not give its shape, and
/// the driver reads all channels in one transaction instead.
public enum EightAFrame: Sendable, Hashable {
    /// Pulse channel `channel` (1-24) of board `board` (1-31).
    case open(board: Int, channel: Int)
    /// Pulse every channel of board `board`.
    case openAll(board: Int)
    /// Ask for the feedback of channel `channel` (1-24).
    case read(board: Int, channel: Int)
    /// Ask for the feedback of every channel (reply `.readAllReply`).
    case readAll(board: Int)
    /// The board's answer to `.open` (channel 1-24) or `.openAll` (channel nil): the status
    /// byte is 11 when `feedbackSet`, 00 when not.
    case openReply(board: Int, channel: Int?, feedbackSet: Bool)
    /// The board's answer to `.readAll`: bit n of `channelBits` is channel n+1 (24 bits used).
    case readAllReply(board: Int, channelBits: UInt32)

    /// DIP-switch addresses.
    public static let boards: ClosedRange<Int> = 1...31
    /// Channel numbers, as printed on the board.
    public static let channels: ClosedRange<Int> = 1...24
    /// The bits of `channelBits` that the wire carries.
    public static let channelMask: UInt32 = 1 << 24 - 1

    /// True for frames the controller sends, false for the board's replies.
    public var isRequest: Bool {
        switch self {
        case .open, .openAll, .read, .readAll: true
        case .openReply, .readAllReply: false
        }
    }

    /// The board the frame addresses or comes from.
    public var board: Int {
        switch self {
        case let .open(board, _), let .openAll(board), let .read(board, _), let .readAll(board),
             let .openReply(board, _, _), let .readAllReply(board, _):
            board
        }
    }
}

extension EightAFrame {
    /// For `.openReply`: whether the channel (or the board, after open all) reports open.
    public func isOpen(polarity: EightAFeedbackPolarity) -> Bool? {
        guard case let .openReply(_, _, feedbackSet) = self else { return nil }
        return polarity.isOpen(set: feedbackSet)
    }

    /// For `.readAllReply`: whether channel `channel` (1-24) is open. Nil for other frames and
    /// channel numbers outside 1-24.
    public func isChannelOpen(_ channel: Int, polarity: EightAFeedbackPolarity) -> Bool? {
        guard case let .readAllReply(_, channelBits) = self, Self.channels.contains(channel) else { return nil }
        return polarity.isOpen(set: LockBits.isSet(UInt64(channelBits), number: channel))
    }

    /// For `.readAllReply`: every channel's state; index 0 is channel 1.
    public func channelsOpen(polarity: EightAFeedbackPolarity) -> [Bool]? {
        guard case let .readAllReply(_, channelBits) = self else { return nil }
        return LockBits.flags(UInt64(channelBits), width: 24).map { polarity.isOpen(set: $0) }
    }

    /// A `.readAllReply` built from per-channel states (index 0 is channel 1; missing entries
    /// are closed, entries past channel 24 are ignored). For simulated boards.
    public static func readAllReply(
        board: Int, channelsOpen: [Bool], polarity: EightAFeedbackPolarity
    ) -> EightAFrame {
        let flags = (0..<24).map { polarity.feedback(open: $0 < channelsOpen.count && channelsOpen[$0]) }
        return .readAllReply(board: board, channelBits: UInt32(truncatingIfNeeded: LockBits.pack(flags)))
    }
}

extension EightAFrame: CustomStringConvertible {
    /// The wording of the vector tables' MEANING column ("open board 1 channel 5").
    public var description: String {
        switch self {
        case let .open(board, channel):
            "open board \(board) channel \(channel)"
        case let .openAll(board):
            "open all channels of board \(board)"
        case let .read(board, channel):
            "read board \(board) channel \(channel)"
        case let .readAll(board):
            "read all channels of board \(board)"
        case let .openReply(board, channel, feedbackSet):
            (channel.map { "open reply from board \(board) channel \($0)" }
                ?? "open-all reply from board \(board)") + ": status \(feedbackSet ? "11" : "00")"
        case let .readAllReply(board, channelBits):
            "read-all reply from board \(board): channel bits set: \(LockBits.describe(UInt64(channelBits), width: 24))"
        }
    }
}
