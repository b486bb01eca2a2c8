/// The framing both Kerong models use: `02`, the frame's bytes, `03`, then the low byte of the
/// sum of every preceding byte. Each codec states its own lengths and fields; the end byte and
/// the checksum are checked here.
enum KerongFraming {
    static let startByte: UInt8 = 0x02
    static let endByte: UInt8 = 0x03

    /// `bytes` (start byte first) closed with the end byte and the checksum.
    static func seal(_ bytes: [UInt8]) -> [UInt8] {
        var sealed = bytes + [endByte]
        sealed.append(WireChecksum.sum8(sealed))
        return sealed
    }

    /// Checks the end byte and the checksum of a candidate frame of `length` bytes: nil when both
    /// are right, otherwise what the codec's checker should answer.
    static func checkTail<Frame>(_ bytes: ArraySlice<UInt8>, length: Int) -> CandidateCheck<Frame>? {
        guard let end = bytes.byteIfPresent(at: length - 2) else { return .needMore }
        guard end == endByte else {
            return .invalid(
                reason: "end byte \(HexBytes.format(end)), expected \(HexBytes.format(endByte))",
                inspected: length - 1
            )
        }
        guard let sum = bytes.byteIfPresent(at: length - 1) else { return .needMore }
        let expected = WireChecksum.sum8(bytes.prefix(length - 1))
        guard sum == expected else {
            return .invalid(
                reason: "checksum \(HexBytes.format(sum)), expected \(HexBytes.format(expected))",
                inspected: length
            )
        }
        return nil
    }
}
