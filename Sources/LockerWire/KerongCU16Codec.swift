/// Encoder and stream decoder of Kerong KR-CU16 frames (see `KerongCU16Frame` for the shapes).
///
/// One decoder reads both directions: the command byte tells a request (30-33, 5 bytes) from a
/// reply (35 and 36, 9 bytes), so no byte sequence is ambiguous. A decoded frame is always in
/// canonical form, so `encode` gives back exactly the bytes it came from. Rules beyond
/// the public notes, chosen so that noise is rejected early:
/// - board ids above 9 are rejected (the public notes: ids 0-9 on one chain);
/// - commands that address a whole board (30, 33) and the replies (35, 36) must carry lock
///   index 0 in the low nibble of the address; the bus status request (32) must use F0;
/// - the reply to the bus status request (36) is taken to have the layout of the status reply
///   (35): the public notes name the command but not its layout.
public struct KerongCU16Codec: KerongCodec {
    public typealias Frame = KerongCU16Frame

    public static let startByte = KerongFraming.startByte
    public static let endByte = KerongFraming.endByte
    public static let busAddress: UInt8 = 0xF0
    public static let requestLength = 5
    public static let replyLength = 9
    /// The longest frame; a decoder waiting for more bytes never holds more than this.
    public static let maxFrameLength = replyLength

    enum Command {
        static let status: UInt8 = 0x30
        static let unlock: UInt8 = 0x31
        static let busStatus: UInt8 = 0x32
        static let unlockAll: UInt8 = 0x33
        static let statusReply: UInt8 = 0x35
        static let busStatusReply: UInt8 = 0x36
    }

    public static let family = "Kerong CU16"
    /// Revisions disagree (see `KerongLockPolarity`); most public drivers read a set bit as open.
    public static let defaultPolarity = KerongLockPolarity.setMeansOpen
    /// The CU16 never answers an unlock.
    public static let mayAnswerUnlock = false

    public init() {}

    /// The frame's bytes, checksum included.
    ///
    /// - Precondition: board ids in `KerongCU16Frame.boards`, lock numbers in
    ///   `KerongCU16Frame.locks` (validate configuration before building frames).
    public static func encode(_ frame: KerongCU16Frame) -> [UInt8] {
        switch frame {
        case let .statusRequest(board):
            return KerongFraming.seal([startByte, boardAddress(board), Command.status])
        case let .unlock(board, lock):
            precondition(KerongCU16Frame.locks.contains(lock), "\(family) lock \(lock) is outside 1-16")
            return KerongFraming.seal([startByte, boardAddress(board) | UInt8(lock - 1), Command.unlock])
        case .busStatusRequest:
            return KerongFraming.seal([startByte, busAddress, Command.busStatus])
        case let .unlockAll(board):
            return KerongFraming.seal([startByte, boardAddress(board), Command.unlockAll])
        case let .status(board, doorBits, itemBits):
            return KerongFraming.seal([startByte, boardAddress(board), Command.statusReply] + bitBytes(doorBits, itemBits))
        case let .busStatus(board, doorBits, itemBits):
            return KerongFraming.seal([startByte, boardAddress(board), Command.busStatusReply] + bitBytes(doorBits, itemBits))
        }
    }

    public mutating func decode(_ buffer: inout [UInt8]) -> FrameDecoding<KerongCU16Frame>? {
        FrameScanner.decodeFront(&buffer, family: Self.family, startBytes: [Self.startByte], check: Self.check)
    }

    static func check(_ bytes: ArraySlice<UInt8>) -> CandidateCheck<KerongCU16Frame> {
        guard let address = bytes.byteIfPresent(at: 1), let command = bytes.byteIfPresent(at: 2) else {
            return .needMore
        }
        let length: Int
        switch command {
        case Command.status...Command.unlockAll: length = requestLength
        case Command.statusReply, Command.busStatusReply: length = replyLength
        default:
            return .invalid(
                reason: "unknown command \(HexBytes.format(command)) (requests 30-33, replies 35 and 36)",
                inspected: 3
            )
        }
        if let problem = addressProblem(address, command: command) {
            return .invalid(reason: problem, inspected: 3)
        }
        if let problem: CandidateCheck<Frame> = KerongFraming.checkTail(bytes, length: length) { return problem }
        let board = Int(address >> 4)
        let frame: KerongCU16Frame
        switch command {
        case Command.status: frame = .statusRequest(board: board)
        case Command.unlock: frame = .unlock(board: board, lock: Int(address & 0x0F) + 1)
        case Command.busStatus: frame = .busStatusRequest
        case Command.unlockAll: frame = .unlockAll(board: board)
        default:
            let base = bytes.startIndex
            let doorBits = UInt16(bytes[base + 3]) | UInt16(bytes[base + 4]) << 8
            let itemBits = UInt16(bytes[base + 5]) | UInt16(bytes[base + 6]) << 8
            frame = command == Command.statusReply
                ? .status(board: board, doorBits: doorBits, itemBits: itemBits)
                : .busStatus(board: board, doorBits: doorBits, itemBits: itemBits)
        }
        return .frame(frame, length: length)
    }

    private static func addressProblem(_ address: UInt8, command: UInt8) -> String? {
        let shown = HexBytes.format(address)
        if command == Command.busStatus {
            return address == busAddress ? nil : "bus status request to address \(shown), expected F0"
        }
        let board = Int(address >> 4)
        guard KerongCU16Frame.boards.contains(board) else {
            return "address \(shown) names board \(board), outside 0-9"
        }
        if command != Command.unlock, address & 0x0F != 0 {
            return "address \(shown) names lock index \(address & 0x0F), but command "
                + "\(HexBytes.format(command)) addresses a whole board (lock index 0)"
        }
        return nil
    }

    private static func boardAddress(_ board: Int) -> UInt8 {
        precondition(KerongCU16Frame.boards.contains(board), "\(family) board \(board) is outside 0-9")
        return UInt8(board) << 4
    }

    private static func bitBytes(_ doorBits: UInt16, _ itemBits: UInt16) -> [UInt8] {
        [
            UInt8(truncatingIfNeeded: doorBits), UInt8(truncatingIfNeeded: doorBits >> 8),
            UInt8(truncatingIfNeeded: itemBits), UInt8(truncatingIfNeeded: itemBits >> 8),
        ]
    }
}
