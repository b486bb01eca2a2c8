/// Encoder and stream decoder of the generic "8A/80" lock board (see `EightAFrame`).
///
/// The open request `8A AA CC 11 BCC` and the reply reporting status 11 are the same bytes, and
/// a read request and a read-all reply share the command byte 80, so a decoder reads one
/// direction, fixed at creation:
/// - `.requests` (what a simulated board reads): every frame is 5 bytes; `8A` needs the fixed
///   byte 11 and `80` the fixed byte 33. An open reply with status 00 is skipped as "not a
///   request".
/// - `.replies` (what the driver reads): `8A` frames are 5-byte open replies with status 11 or
///   00; `80` frames are always the 7-byte read-all reply `80 AA S3 S2 S1 33 BCC`. A 5-byte
///   read-one reply is not decoded: the public notes do not give its shape, and a 5-byte rule
///   beside the 7-byte one would be ambiguous (a 5-byte frame must be reported at its fifth
///   byte, yet the first five bytes of a read-all reply can pass a 5-byte check), so the driver
///   reads all channels.
///   If the line echoes the driver's own requests, the read request's 5 bytes fail the 7-byte
///   rules and are skipped, but an echoed open request reads as a reply with status 11: the
///   link layer must drop its echo.
///
/// Rules beyond the public notes, chosen so that noise is rejected early: the board address must be
/// 01-1F (the DIP range) and a channel byte 00-18 (all, or 1-24). Decoded frames are canonical,
/// so `encode` gives back exactly the bytes they came from.
public struct EightACodec: FrameDecoder {
    public typealias Frame = EightAFrame

    /// Which side of the line the decoder reads.
    public enum Direction: Sendable, Hashable, CaseIterable {
        /// Controller to board: what a (simulated) board decodes.
        case requests
        /// Board to controller: what the driver decodes.
        case replies
    }

    public static let openCommand: UInt8 = 0x8A
    public static let readCommand: UInt8 = 0x80
    /// The fixed byte of open requests, and the "set" status of open replies.
    public static let openFixed: UInt8 = 0x11
    /// The "clear" status of open replies.
    public static let clearStatus: UInt8 = 0x00
    /// The fixed byte of read requests and read-all replies.
    public static let readFixed: UInt8 = 0x33
    public static let shortLength = 5
    public static let readAllReplyLength = 7
    /// The longest frame; a decoder waiting for more bytes never holds more than this.
    public static let maxFrameLength = readAllReplyLength

    static let family = "8A/80 board"

    public let direction: Direction

    public init(decoding direction: Direction) {
        self.direction = direction
    }

    /// The frame's bytes, BCC included.
    ///
    /// - Precondition: board in `EightAFrame.boards`, channel in `EightAFrame.channels`,
    ///   channel bits within `EightAFrame.channelMask`.
    public static func encode(_ frame: EightAFrame) -> [UInt8] {
        let board = frame.board
        precondition(EightAFrame.boards.contains(board), "\(family) address \(board) is outside 1-31")
        let address = UInt8(board)
        var bytes: [UInt8]
        switch frame {
        case let .open(_, channel):
            bytes = [openCommand, address, channelByte(channel), openFixed]
        case .openAll:
            bytes = [openCommand, address, 0x00, openFixed]
        case let .read(_, channel):
            bytes = [readCommand, address, channelByte(channel), readFixed]
        case .readAll:
            bytes = [readCommand, address, 0x00, readFixed]
        case let .openReply(_, channel, feedbackSet):
            bytes = [openCommand, address, channel.map(channelByte) ?? 0x00, feedbackSet ? openFixed : clearStatus]
        case let .readAllReply(_, channelBits):
            precondition(channelBits & ~EightAFrame.channelMask == 0, "\(family) channel bits beyond channel 24")
            bytes = [
                readCommand, address,
                UInt8(truncatingIfNeeded: channelBits >> 16),
                UInt8(truncatingIfNeeded: channelBits >> 8),
                UInt8(truncatingIfNeeded: channelBits),
                readFixed,
            ]
        }
        bytes.append(WireChecksum.xor8(bytes))
        return bytes
    }

    public mutating func decode(_ buffer: inout [UInt8]) -> FrameDecoding<EightAFrame>? {
        let direction = direction
        return FrameScanner.decodeFront(
            &buffer, family: Self.family, startBytes: [Self.openCommand, Self.readCommand]
        ) { Self.check($0, direction: direction) }
    }

    static func check(_ bytes: ArraySlice<UInt8>, direction: Direction) -> CandidateCheck<EightAFrame> {
        guard let command = bytes.byteIfPresent(at: 0), let address = bytes.byteIfPresent(at: 1) else {
            return .needMore
        }
        guard EightAFrame.boards.contains(Int(address)) else {
            return .invalid(reason: "board address \(HexBytes.format(address)) is outside 01-1F", inspected: 2)
        }
        let length: Int
        if command == readCommand, direction == .replies {
            length = readAllReplyLength
            guard let fixed = bytes.byteIfPresent(at: 5) else { return .needMore }
            guard fixed == readFixed else {
                return .invalid(
                    reason: "byte \(HexBytes.format(fixed)) after the read-all status bytes, expected 33",
                    inspected: 6
                )
            }
        } else {
            length = shortLength
            guard let channel = bytes.byteIfPresent(at: 2) else { return .needMore }
            guard channel <= UInt8(EightAFrame.channels.upperBound) else {
                return .invalid(
                    reason: "channel byte \(HexBytes.format(channel)) is above 18 (channel 24)", inspected: 3
                )
            }
            guard let fixed = bytes.byteIfPresent(at: 3) else { return .needMore }
            if let problem = fixedByteProblem(fixed, command: command, direction: direction) {
                return .invalid(reason: problem, inspected: 4)
            }
        }
        guard let bcc = bytes.byteIfPresent(at: length - 1) else { return .needMore }
        let expected = WireChecksum.xor8(bytes.prefix(length - 1))
        guard bcc == expected else {
            return .invalid(
                reason: "checksum (BCC) \(HexBytes.format(bcc)), expected \(HexBytes.format(expected))",
                inspected: length
            )
        }
        let base = bytes.startIndex
        let board = Int(address)
        let channelByte = bytes[base + 2]
        let channel = channelByte == 0 ? nil : Int(channelByte)
        let frame: EightAFrame
        switch (command, direction) {
        case (openCommand, .requests):
            frame = channel.map { .open(board: board, channel: $0) } ?? .openAll(board: board)
        case (openCommand, .replies):
            frame = .openReply(board: board, channel: channel, feedbackSet: bytes[base + 3] == openFixed)
        case (_, .requests):
            frame = channel.map { .read(board: board, channel: $0) } ?? .readAll(board: board)
        case (_, .replies):
            let bits = UInt32(bytes[base + 2]) << 16 | UInt32(bytes[base + 3]) << 8 | UInt32(bytes[base + 4])
            frame = .readAllReply(board: board, channelBits: bits)
        }
        return .frame(frame, length: length)
    }

    private static func fixedByteProblem(_ fixed: UInt8, command: UInt8, direction: Direction) -> String? {
        let shown = HexBytes.format(fixed)
        switch (command, direction) {
        case (openCommand, .requests):
            guard fixed != openFixed else { return nil }
            return fixed == clearStatus
                ? "status 00 makes it an open reply, not a request (decoding requests)"
                : "fixed byte \(shown), expected 11"
        case (openCommand, .replies):
            guard fixed != openFixed, fixed != clearStatus else { return nil }
            return "open reply status \(shown), expected 11 or 00"
        default:
            return fixed == readFixed ? nil : "fixed byte \(shown), expected 33"
        }
    }

    private static func channelByte(_ channel: Int) -> UInt8 {
        precondition(EightAFrame.channels.contains(channel), "\(family) channel \(channel) is outside 1-24")
        return UInt8(channel)
    }
}
