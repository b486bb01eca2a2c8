/// What a board family's checker says about the bytes at the front of a buffer that begins with
/// one of the family's start bytes.
enum CandidateCheck<Frame> {
    /// Still a plausible beginning of a frame: wait for more bytes. Only returned while the
    /// buffer is shorter than the frame it could become, so a waiting decoder never holds more
    /// than one maximum-size frame.
    case needMore
    /// A whole, checked frame: the first `length` bytes of the buffer.
    case frame(Frame, length: Int)
    /// Not a frame. The first `inspected` bytes were looked at (the start byte up to the byte
    /// that broke a rule, or the whole frame for a wrong checksum); `reason` says what was wrong.
    case invalid(reason: String, inspected: Int)
}

/// The resynchronisation every family shares, so that each codec only states its frame rules.
///
/// - Noise (bytes before a start byte) is dropped in one step, up to the next start byte.
/// - A candidate frame that breaks a rule is dropped from its start byte up to the next start
///   byte among the bytes inspected (a real frame may begin inside a false start), or all the
///   inspected bytes if none; what follows is scanned again.
/// - A plausible but incomplete candidate returns nil and keeps the buffer untouched.
enum FrameScanner {
    static func decodeFront<Frame>(
        _ buffer: inout [UInt8],
        family: String,
        startBytes: [UInt8],
        check: (ArraySlice<UInt8>) -> CandidateCheck<Frame>
    ) -> FrameDecoding<Frame>? {
        guard let first = buffer.first else { return nil }
        guard startBytes.contains(first) else {
            let end = buffer.firstIndex(where: startBytes.contains) ?? buffer.count
            let starts = startBytes.map { HexBytes.format($0) }.joined(separator: " or ")
            let place = end < buffer.count ? "before a start byte \(starts)" : "without a start byte \(starts)"
            let reason = "\(family): \(end) byte\(end == 1 ? "" : "s") of noise \(place): "
                + HexBytes.preview(buffer[..<end])
            buffer.removeFirst(end)
            return .skipped(byteCount: end, reason: reason)
        }
        switch check(buffer[...]) {
        case .needMore:
            return nil
        case let .frame(frame, length):
            buffer.removeFirst(length)
            return .frame(frame)
        case let .invalid(reason, inspected):
            let inspectedEnd = min(max(inspected, 1), buffer.count)
            let end = buffer[1..<inspectedEnd].firstIndex(where: startBytes.contains) ?? inspectedEnd
            let fullReason = "\(family) frame \(HexBytes.format(buffer[..<inspectedEnd])): \(reason)"
            buffer.removeFirst(end)
            return .skipped(byteCount: end, reason: fullReason)
        }
    }
}

extension ArraySlice where Element == UInt8 {
    /// The byte at `offset` from the start of the slice, or nil when it has not arrived yet.
    func byteIfPresent(at offset: Int) -> UInt8? {
        offset < count ? self[startIndex + offset] : nil
    }
}
