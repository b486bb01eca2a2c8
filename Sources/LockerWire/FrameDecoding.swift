/// What a frame decoder found at the front of its buffer.
public enum FrameDecoding<Frame: Sendable & Equatable>: Sendable, Equatable {
    /// A complete, checked frame; its bytes were removed from the buffer.
    case frame(Frame)
    /// Bytes that cannot start or be a valid frame (line noise, a corrupted checksum, a truncated
    /// frame overtaken by the next one) were dropped; `reason` says why, for the garbage counter
    /// and the log.
    case skipped(byteCount: Int, reason: String)
}

/// A decoder of one board family's frames from a byte stream.
///
/// Contract (shared by every family, tested with the same vector tables): `decode` looks at the
/// front of `buffer`, removes what it consumed, and returns nil when it needs more bytes. It never
/// traps on any input, always makes progress when it returns non-nil, and resynchronises after
/// garbage by dropping bytes up to the next possible frame start.
public protocol FrameDecoder: Sendable {
    associatedtype Frame: Sendable & Equatable
    mutating func decode(_ buffer: inout [UInt8]) -> FrameDecoding<Frame>?
}

extension FrameDecoder {
    /// Decodes everything decodable in `buffer` (tests, fuzzing, simulators).
    public mutating func decodeAll(_ buffer: inout [UInt8]) -> [FrameDecoding<Frame>] {
        var results: [FrameDecoding<Frame>] = []
        while let result = decode(&buffer) { results.append(result) }
        return results
    }
}
