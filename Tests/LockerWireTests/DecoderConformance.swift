import LockerTestSupport
import LockerWire
import Testing

/// What the shared decoder checks need to know about one board family's codec. Every family's
/// tests (third-party boards and our own protocol) run the same checks over their vector table.
struct CodecUnderTest<Decoder: FrameDecoder>: Sendable where Decoder.Frame: CustomStringConvertible {
    /// As it starts every skip reason ("Kerong CU16").
    var family: String
    /// A fresh decoder for frames travelling in `direction`.
    var makeDecoder: @Sendable (VectorDirection) -> Decoder
    var encode: @Sendable (Decoder.Frame) -> [UInt8]
    var isRequest: @Sendable (Decoder.Frame) -> Bool
    /// Bytes that may start a frame: leading noise is built without them.
    var startBytes: Set<UInt8>
    var maxFrameLength: Int

    typealias Frame = Decoder.Frame
}

/// The decoder contract of `FrameDecoder`, checked against vectors. Each check records issues at
/// the caller's source location.
extension CodecUnderTest {
    /// The vector, decoded from a buffer holding exactly its bytes: one frame whose description is
    /// the vector's MEANING and whose direction is the vector's DIRECTION; nothing left.
    @discardableResult
    func checkDecodesWhole(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) -> Frame? {
        var decoder = makeDecoder(vector.direction)
        var buffer = vector.bytes
        let result = decoder.decode(&buffer)
        guard case let .frame(frame)? = result else {
            Issue.record("\(vector.name): not decoded: \(String(describing: result))", sourceLocation: sourceLocation)
            return nil
        }
        #expect(buffer.isEmpty, "\(vector.name): bytes left over", sourceLocation: sourceLocation)
        #expect(frame.description == vector.meaning, "\(vector.name)", sourceLocation: sourceLocation)
        #expect(isRequest(frame) == (vector.direction == .request), "\(vector.name)", sourceLocation: sourceLocation)
        #expect(decoder.decode(&buffer) == nil, sourceLocation: sourceLocation)
        return frame
    }

    /// Fed one byte at a time: nil until the last byte, then the frame.
    func checkDecodesByteByByte(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = checkDecodesWhole(vector, sourceLocation: sourceLocation) else { return }
        var decoder = makeDecoder(vector.direction)
        var buffer: [UInt8] = []
        for (index, byte) in vector.bytes.enumerated() {
            buffer.append(byte)
            let result = decoder.decode(&buffer)
            if index < vector.bytes.count - 1 {
                #expect(result == nil, "\(vector.name): after \(index + 1) bytes", sourceLocation: sourceLocation)
                #expect(buffer.count == index + 1, "\(vector.name): consumed early", sourceLocation: sourceLocation)
            } else {
                #expect(result == .frame(expected), "\(vector.name)", sourceLocation: sourceLocation)
                #expect(buffer.isEmpty, sourceLocation: sourceLocation)
            }
        }
    }

    /// All `vectors` back to back in one buffer: every frame, in order, nothing skipped.
    func checkDecodesConcatenated(
        _ vectors: [WireVector], with decoder: Decoder, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let expected = vectors.compactMap { checkDecodesWhole($0, sourceLocation: sourceLocation) }
        guard expected.count == vectors.count, !vectors.isEmpty else { return }
        var decoder = decoder
        var buffer = vectors.flatMap(\.bytes)
        let results = decoder.decodeAll(&buffer)
        #expect(results == expected.map { .frame($0) }, sourceLocation: sourceLocation)
        #expect(buffer.isEmpty, sourceLocation: sourceLocation)
    }

    /// Noise before the frame: skipped (noise without start bytes in exactly one step), then the
    /// frame. Also a lone start byte (a frame cut after its first byte) before the frame.
    func checkSkipsLeadingGarbage(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = checkDecodesWhole(vector, sourceLocation: sourceLocation) else { return }
        let noise = [0x00, 0xFF, 0x03, 0x11, 0x33, 0x55, 0xAA, 0x7E].filter { !startBytes.contains($0) }
        let start = startBytes.sorted().first ?? 0
        for garbage in [noise, [start], noise + [start], [start, start]] {
            var decoder = makeDecoder(vector.direction)
            var buffer = garbage + vector.bytes
            let results = decoder.decodeAll(&buffer)
            let label = "\(vector.name) after \(HexBytes.format(garbage))"
            #expect(results.last == .frame(expected), "\(label): \(results)", sourceLocation: sourceLocation)
            let skips = results.dropLast().map(Self.skippedCount)
            #expect(skips.allSatisfy { $0 != nil }, "\(label): \(results)", sourceLocation: sourceLocation)
            let skipped = skips.reduce(0) { $0 + ($1 ?? 0) }
            #expect(skipped == garbage.count, "\(label): \(results)", sourceLocation: sourceLocation)
            if garbage == noise {
                #expect(skips.count == 1, "\(label): \(results)", sourceLocation: sourceLocation)
            }
            #expect(buffer.isEmpty, sourceLocation: sourceLocation)
            for case let .skipped(_, reason) in results {
                #expect(reason.hasPrefix(family), "\(reason)", sourceLocation: sourceLocation)
            }
        }
    }

    /// Cut anywhere: nil, nothing consumed; completed later: the frame.
    func checkWaitsWhenTruncated(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = checkDecodesWhole(vector, sourceLocation: sourceLocation) else { return }
        for cut in 1..<vector.bytes.count {
            var decoder = makeDecoder(vector.direction)
            var buffer = Array(vector.bytes.prefix(cut))
            #expect(decoder.decode(&buffer) == nil, "\(vector.name) cut at \(cut)", sourceLocation: sourceLocation)
            #expect(buffer == Array(vector.bytes.prefix(cut)), sourceLocation: sourceLocation)
            buffer += vector.bytes.dropFirst(cut)
            let completed = decoder.decode(&buffer)
            #expect(completed == .frame(expected), "\(vector.name) cut at \(cut)", sourceLocation: sourceLocation)
            #expect(buffer.isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// A wrong checksum: skipped with a reason naming the family, the seen and the expected
    /// checksum; the good frame after it still decodes.
    func checkRejectsCorruptedChecksum(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let expected = checkDecodesWhole(vector, sourceLocation: sourceLocation),
              let good = vector.bytes.last
        else { return }
        for flip: UInt8 in [0x01, 0x80, 0xFF] {
            var corrupted = vector.bytes
            corrupted[corrupted.count - 1] = good ^ flip
            var decoder = makeDecoder(vector.direction)
            var buffer = corrupted + vector.bytes
            let results = decoder.decodeAll(&buffer)
            let label = "\(vector.name) with checksum \(HexBytes.format(good ^ flip))"
            guard case let .skipped(_, reason)? = results.first else {
                Issue.record("\(label): \(results)", sourceLocation: sourceLocation)
                continue
            }
            let framePrefix = "\(family) frame \(HexBytes.format(corrupted))"
            #expect(reason.hasPrefix(framePrefix), "\(reason)", sourceLocation: sourceLocation)
            #expect(reason.contains("checksum"), "\(reason)", sourceLocation: sourceLocation)
            #expect(reason.contains(HexBytes.format(good ^ flip)), "\(reason)", sourceLocation: sourceLocation)
            let expectedChecksum = "expected \(HexBytes.format(good))"
            #expect(reason.contains(expectedChecksum), "\(reason)", sourceLocation: sourceLocation)
            #expect(results.last == .frame(expected), "\(label): \(results)", sourceLocation: sourceLocation)
            let skips = results.dropLast().map(Self.skippedCount)
            #expect(skips.allSatisfy { $0 != nil }, "\(label): \(results)", sourceLocation: sourceLocation)
            let skipped = skips.reduce(0) { $0 + ($1 ?? 0) }
            #expect(skipped == corrupted.count, "\(label): \(results)", sourceLocation: sourceLocation)
            #expect(buffer.isEmpty, sourceLocation: sourceLocation)
        }
    }

    /// `encode(decode(bytes)) == bytes`.
    func checkRoundTrips(_ vector: WireVector, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let frame = checkDecodesWhole(vector, sourceLocation: sourceLocation) else { return }
        let encoded = HexBytes.format(encode(frame))
        #expect(encoded == HexBytes.format(vector.bytes), "\(vector.name)", sourceLocation: sourceLocation)
    }

    /// Random bytes (`noiseCount` in all, in runs of 0-64) with valid frames from `randomFrame`
    /// between the runs, fed in reads of 1-64 bytes like a serial line. The decoder never traps,
    /// makes progress whenever it answers, never waits on a buffer of a whole frame or more,
    /// reports only canonical frames (their encoding is exactly the bytes consumed), names its
    /// family in every reason, and finds every inserted frame at the offset where it was put.
    func checkFuzz(
        seed: UInt64,
        noiseCount: Int = 200_000,
        direction: VectorDirection,
        randomFrame: (inout SplitMix64) -> Frame,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var random = SplitMix64(seed: seed)
        var stream: [UInt8] = []
        var inserted: [Int: Frame] = [:]
        var noiseLeft = noiseCount
        while noiseLeft > 0 {
            let run = min(Int.random(in: 0...64, using: &random), noiseLeft)
            for _ in 0..<run { stream.append(UInt8.random(in: 0...255, using: &random)) }
            noiseLeft -= run
            let frame = randomFrame(&random)
            inserted[stream.count] = frame
            stream += encode(frame)
        }

        var decoder = makeDecoder(direction)
        var buffer: [UInt8] = []
        var offset = 0  // stream offset of buffer[0]
        var fed = 0
        var found: [Int: Frame] = [:]
        var problems: [String] = []
        while fed < stream.count {
            let read = min(Int.random(in: 1...64, using: &random), stream.count - fed)
            buffer += stream[fed..<fed + read]
            fed += read
            while let result = decoder.decode(&buffer) {
                let consumed = (fed - offset) - buffer.count
                switch result {
                case let .frame(frame):
                    let bytes = Array(stream[offset..<offset + consumed])
                    if encode(frame) != bytes {
                        problems.append("at \(offset): \(frame) from \(HexBytes.format(bytes)) is not canonical")
                    }
                    found[offset] = frame
                case let .skipped(byteCount, reason):
                    if byteCount != consumed || byteCount < 1 {
                        problems.append("at \(offset): skipped \(byteCount) but consumed \(consumed)")
                    }
                    if !reason.hasPrefix(family) { problems.append("at \(offset): reason \(reason)") }
                }
                if consumed < 1 { problems.append("at \(offset): no progress") }
                offset += consumed
                if problems.count > 10 { break }
            }
            if buffer.count >= maxFrameLength {
                problems.append("at \(offset): waiting on \(buffer.count) bytes")
            }
            if problems.count > 10 { break }
        }
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
        let missing = inserted.filter { found[$0.key] != $0.value }.sorted { $0.key < $1.key }
        #expect(
            missing.isEmpty,
            "\(missing.count) of \(inserted.count) inserted frames not found, first: \(missing.prefix(3))",
            sourceLocation: sourceLocation
        )
        #expect(inserted.count > 1000, sourceLocation: sourceLocation)
    }

    static func skippedCount(_ result: FrameDecoding<Frame>) -> Int? {
        if case let .skipped(byteCount, _) = result { byteCount } else { nil }
    }
}
