/// Finds `OwnBoardPacket`s in a byte stream: splits at the zero delimiter, undoes COBS, checks
/// length, version, address bits and CRC. Anything wrong is skipped with a reason; the next
/// delimiter resynchronises.
public struct OwnBoardDecoder: FrameDecoder {
    /// Longest valid frame without its delimiter (207-byte packet plus COBS overhead).
    static let maximumEncodedLength = 210

    public init() {}

    public mutating func decode(_ buffer: inout [UInt8]) -> FrameDecoding<OwnBoardPacket>? {
        guard let end = buffer.firstIndex(of: 0) else {
            // No delimiter yet. More than a frame's worth is noise: drop it, keep waiting.
            if buffer.count > Self.maximumEncodedLength {
                let count = buffer.count
                buffer.removeAll(keepingCapacity: true)
                return .skipped(byteCount: count, reason: "\(count) bytes without a frame delimiter")
            }
            return nil
        }
        let encoded = buffer[..<end]
        defer { buffer.removeSubrange(...end) }
        if encoded.isEmpty {
            // An empty frame (two delimiters in a row, or a leading delimiter used as a line
            // wake-up) is harmless and not counted as garbage.
            return .skipped(byteCount: 1, reason: "empty frame")
        }
        let consumed = encoded.count + 1
        guard encoded.count <= Self.maximumEncodedLength else {
            return .skipped(byteCount: consumed, reason: "frame of \(encoded.count) bytes is longer than any packet")
        }
        guard let packet = COBS.decode(encoded) else {
            return .skipped(byteCount: consumed, reason: "invalid COBS encoding in \(Self.hex(encoded))")
        }
        guard packet.count >= 7 else {
            return .skipped(byteCount: consumed, reason: "packet of \(packet.count) bytes is shorter than 7")
        }
        let length = Int(packet[4])
        guard packet.count == 7 + length, length <= OwnBoardPacket.maximumPayload else {
            return .skipped(byteCount: consumed, reason: "packet says \(length) payload bytes but has \(packet.count - 7)")
        }
        let expected = CRC16CCITT.checksum(packet[..<(5 + length)])
        let seen = UInt16(packet[5 + length]) << 8 | UInt16(packet[6 + length])
        guard expected == seen else {
            return .skipped(byteCount: consumed, reason: "CRC \(Self.hex16(seen)), expected \(Self.hex16(expected)) in \(Self.hex(packet[...]))")
        }
        guard OwnBoardPacket.knownVersions.contains(packet[0]) else {
            let known = OwnBoardPacket.knownVersions
            return .skipped(byteCount: consumed, reason: "protocol version \(packet[0]), this host knows \(known.lowerBound)-\(known.upperBound)")
        }
        guard packet[1] & 0x60 == 0 else {
            return .skipped(byteCount: consumed, reason: "address byte \(Self.hex([packet[1]][...])) has reserved bits set")
        }
        return .frame(OwnBoardPacket(
            version: packet[0], address: packet[1] & 0x1F, isFromBoard: packet[1] & 0x80 != 0, sequence: packet[2],
            command: packet[3], payload: Array(packet[5..<(5 + length)])))
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + digits : digits
        }.joined(separator: " ")
    }

    static func hex16(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
