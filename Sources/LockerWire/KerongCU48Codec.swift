/// Encoder and stream decoder of Kerong KR-CU48 frames (see `KerongCU48Frame` for the shapes).
///
/// One decoder reads both directions: the command byte tells a request (60, 61: 6 bytes) from
/// the status reply (75: 18 bytes), so no byte sequence is ambiguous. A decoded frame is always
/// in canonical form, so `encode` gives back exactly the bytes it came from. Rules beyond
/// the public notes, chosen so that noise is rejected early:
/// - the LOCK byte is never above 30 (30 with command 61 = unlock all);
/// - the status request and the status reply carry LOCK 00 (the sheet's example; a board
///   revision that echoes something else would show up as skipped frames naming the byte);
/// - the board address byte may be any value (the public notes give no range).
public struct KerongCU48Codec: KerongCodec {
    public typealias Frame = KerongCU48Frame

    public static let startByte = KerongFraming.startByte
    public static let endByte = KerongFraming.endByte
    /// The LOCK byte that, with the unlock command, opens every lock of the board.
    public static let allLocks: UInt8 = 0x30
    public static let requestLength = 6
    public static let replyLength = 18
    /// The longest frame; a decoder waiting for more bytes never holds more than this.
    public static let maxFrameLength = replyLength

    enum Command {
        static let status: UInt8 = 0x60
        static let unlock: UInt8 = 0x61
        static let statusReply: UInt8 = 0x75
    }

    public static let family = "Kerong CU48"
    /// The sheet's meaning: a set lock bit means closed.
    public static let defaultPolarity = KerongLockPolarity.setMeansClosed
    /// The public notes do not say whether the CU48 answers an unlock.
    public static let mayAnswerUnlock = true

    public init() {}

    /// The frame's bytes, checksum included.
    ///
    /// - Precondition: board in `KerongCU48Frame.boards`, lock in `KerongCU48Frame.locks`,
    ///   status bits within `KerongCU48Frame.bitMask`.
    public static func encode(_ frame: KerongCU48Frame) -> [UInt8] {
        precondition(KerongCU48Frame.boards.contains(frame.board), "\(family) board \(frame.board) is outside 0-255")
        let address = UInt8(frame.board)
        var bytes: [UInt8]
        switch frame {
        case .statusRequest:
            bytes = [startByte, address, 0x00, Command.status]
        case let .unlock(_, lock):
            precondition(KerongCU48Frame.locks.contains(lock), "\(family) lock \(lock) is outside 1-48")
            bytes = [startByte, address, UInt8(lock - 1), Command.unlock]
        case .unlockAll:
            bytes = [startByte, address, allLocks, Command.unlock]
        case let .status(_, doorBits, itemBits):
            precondition(
                doorBits & ~KerongCU48Frame.bitMask == 0 && itemBits & ~KerongCU48Frame.bitMask == 0,
                "\(family) status bits beyond lock 48"
            )
            bytes = [startByte, address, 0x00, Command.statusReply]
            for shift in stride(from: UInt64(0), to: 48, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: doorBits >> shift))
            }
            for shift in stride(from: UInt64(0), to: 48, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: itemBits >> shift))
            }
        }
        return KerongFraming.seal(bytes)
    }

    public mutating func decode(_ buffer: inout [UInt8]) -> FrameDecoding<KerongCU48Frame>? {
        FrameScanner.decodeFront(&buffer, family: Self.family, startBytes: [Self.startByte], check: Self.check)
    }

    static func check(_ bytes: ArraySlice<UInt8>) -> CandidateCheck<KerongCU48Frame> {
        guard let address = bytes.byteIfPresent(at: 1), let lock = bytes.byteIfPresent(at: 2) else {
            return .needMore
        }
        guard lock <= allLocks else {
            return .invalid(reason: "LOCK byte \(HexBytes.format(lock)) is above 30", inspected: 3)
        }
        guard let command = bytes.byteIfPresent(at: 3) else { return .needMore }
        let length: Int
        switch command {
        case Command.status, Command.statusReply:
            guard lock == 0 else {
                return .invalid(
                    reason: "LOCK byte \(HexBytes.format(lock)) with command \(HexBytes.format(command)), expected 00",
                    inspected: 4
                )
            }
            length = command == Command.status ? requestLength : replyLength
        case Command.unlock:
            length = requestLength
        default:
            return .invalid(
                reason: "unknown command \(HexBytes.format(command)) (requests 60 and 61, reply 75)",
                inspected: 4
            )
        }
        if let problem: CandidateCheck<Frame> = KerongFraming.checkTail(bytes, length: length) { return problem }
        let board = Int(address)
        let frame: KerongCU48Frame
        switch command {
        case Command.status:
            frame = .statusRequest(board: board)
        case Command.unlock:
            frame = lock == allLocks ? .unlockAll(board: board) : .unlock(board: board, lock: Int(lock) + 1)
        default:
            let base = bytes.startIndex + 4
            frame = .status(
                board: board,
                doorBits: littleEndian48(bytes[base..<base + 6]),
                itemBits: littleEndian48(bytes[base + 6..<base + 12])
            )
        }
        return .frame(frame, length: length)
    }

    private static func littleEndian48(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
