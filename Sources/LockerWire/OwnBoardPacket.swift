/// One packet of our own lock-board protocol (firmware-protocol/PROTOCOL.md §3), before COBS.
public struct OwnBoardPacket: Sendable, Equatable {
    /// The version of every packet but version 2's READ EVENTS pair (§7 of the protocol).
    public static let version: UInt8 = 1
    /// The versions this host reads; a packet of another version is skipped.
    public static let knownVersions: ClosedRange<UInt8> = 1...2
    public static let maximumPayload = 200

    public var version: UInt8
    /// Board address 0–31.
    public var address: UInt8
    /// True for replies and events (sent by a board).
    public var isFromBoard: Bool
    public var sequence: UInt8
    /// The command byte as on the wire (replies have bit 7 set).
    public var command: UInt8
    public var payload: [UInt8]

    public init(version: UInt8 = OwnBoardPacket.version, address: UInt8, isFromBoard: Bool, sequence: UInt8,
                command: UInt8, payload: [UInt8] = []) {
        self.version = version
        self.address = address
        self.isFromBoard = isFromBoard
        self.sequence = sequence
        self.command = command
        self.payload = payload
    }

    /// The packet bytes with their CRC (not yet COBS-encoded).
    public var bytes: [UInt8] {
        var bytes: [UInt8] = [version, (address & 0x1F) | (isFromBoard ? 0x80 : 0), sequence, command, UInt8(payload.count)]
        bytes += payload
        let crc = CRC16CCITT.checksum(bytes)
        bytes += [UInt8(crc >> 8), UInt8(crc & 0xFF)]
        return bytes
    }

    /// The frame as sent on the wire: COBS(packet) followed by the 00 delimiter.
    public var frame: [UInt8] {
        COBS.encode(bytes) + [0]
    }
}
