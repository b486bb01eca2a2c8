import LockerTestSupport
import LockerWire
import Testing

@Suite("8A/80 board codec")
struct EightACodecTests {
    static let table = "eight-a.txt"
    static let vectors = VectorFile.vectorsOrNone(table)
    static let requests = vectors.filter { $0.direction == .request }
    static let replies = vectors.filter { $0.direction == .reply }
    static let codec = CodecUnderTest<EightACodec>(
        family: "8A/80 board",
        makeDecoder: { EightACodec(decoding: $0 == .request ? .requests : .replies) },
        encode: { EightACodec.encode($0) },
        isRequest: { $0.isRequest },
        startBytes: [EightACodec.openCommand, EightACodec.readCommand],
        maxFrameLength: EightACodec.maxFrameLength
    )

    static func randomRequest(_ random: inout SplitMix64) -> EightAFrame {
        let board = Int.random(in: EightAFrame.boards, using: &random)
        let channel = Int.random(in: EightAFrame.channels, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return .open(board: board, channel: channel)
        case 1: return .openAll(board: board)
        case 2: return .read(board: board, channel: channel)
        default: return .readAll(board: board)
        }
    }

    static func randomReply(_ random: inout SplitMix64) -> EightAFrame {
        let board = Int.random(in: EightAFrame.boards, using: &random)
        if Bool.random(using: &random) {
            let channel = Int.random(in: 0...24, using: &random)
            let feedbackSet = Bool.random(using: &random)
            return .openReply(board: board, channel: channel == 0 ? nil : channel, feedbackSet: feedbackSet)
        }
        return .readAllReply(board: board, channelBits: UInt32.random(in: 0...EightAFrame.channelMask, using: &random))
    }

    // MARK: The vector table, through the shared decoder checks

    @Test func tableLoadsWithEveryPublishedExample() throws {
        let vectors = try VectorFile.load(Self.table)
        #expect(vectors.count == Self.vectors.count)
        #expect(Self.requests.count >= 6)
        #expect(Self.replies.count >= 6)
        let frames = Set(vectors.map { HexBytes.format($0.bytes) })
        for example in ["80 01 01 33 B3", "80 01 00 33 B2", "8A 01 00 11 9A"] {
            #expect(frames.contains(example), "\(example)")
        }
    }

    @Test(arguments: vectors) func decodesWhole(vector: WireVector) {
        Self.codec.checkDecodesWhole(vector)
    }

    @Test(arguments: vectors) func decodesByteByByte(vector: WireVector) {
        Self.codec.checkDecodesByteByByte(vector)
    }

    @Test(arguments: VectorDirection.allCases)
    func decodesEveryVectorOfOneDirectionConcatenated(direction: VectorDirection) {
        let vectors = direction == .request ? Self.requests : Self.replies
        Self.codec.checkDecodesConcatenated(vectors, with: Self.codec.makeDecoder(direction))
    }

    @Test(arguments: vectors) func skipsLeadingGarbage(vector: WireVector) {
        Self.codec.checkSkipsLeadingGarbage(vector)
    }

    @Test(arguments: vectors) func waitsWhenTruncated(vector: WireVector) {
        Self.codec.checkWaitsWhenTruncated(vector)
    }

    @Test(arguments: vectors) func rejectsCorruptedChecksum(vector: WireVector) {
        Self.codec.checkRejectsCorruptedChecksum(vector)
    }

    @Test(arguments: vectors) func roundTrips(vector: WireVector) {
        Self.codec.checkRoundTrips(vector)
    }

    @Test func survivesRandomRequests() {
        Self.codec.checkFuzz(seed: 0x8A80_0001, direction: .request, randomFrame: Self.randomRequest)
    }

    @Test func survivesRandomReplies() {
        Self.codec.checkFuzz(seed: 0x8A80_0002, direction: .reply, randomFrame: Self.randomReply)
    }

    // MARK: Directions

    @Test func theSameBytesReadAsARequestOrAReplyByDirection() {
        var requests = EightACodec(decoding: .requests)
        var replies = EightACodec(decoding: .replies)
        var buffer = HexBytes.parse("8A 01 00 11 9A")!
        #expect(requests.decode(&buffer) == .frame(.openAll(board: 1)))
        buffer = HexBytes.parse("8A 01 00 11 9A")!
        #expect(replies.decode(&buffer) == .frame(.openReply(board: 1, channel: nil, feedbackSet: true)))
    }

    @Test func aRequestDecoderSkipsAnOpenReplyWithStatus00() {
        var decoder = EightACodec(decoding: .requests)
        var buffer = HexBytes.parse("8A 01 05 00 8E 8A 01 05 11 9F")!
        #expect(
            decoder.decode(&buffer)
                == .skipped(
                    byteCount: 4,
                    reason: "8A/80 board frame 8A 01 05 00: status 00 makes it an open reply, not a request (decoding requests)"
                )
        )
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 1, reason: "8A/80 board: 1 byte of noise before a start byte 8A or 80: 8E")
        )
        #expect(decoder.decode(&buffer) == .frame(.open(board: 1, channel: 5)))
    }

    @Test func aReplyDecoderSkipsAnEchoedReadRequest() {
        // A line that echoes the controller's own read-all request before the board's reply.
        var decoder = EightACodec(decoding: .replies)
        var buffer = HexBytes.parse("80 01 00 33 B2 80 01 00 00 01 33 B3")!
        guard case let .skipped(byteCount, reason)? = decoder.decode(&buffer) else {
            Issue.record("not skipped")
            return
        }
        #expect(byteCount == 5)
        #expect(
            reason == "8A/80 board frame 80 01 00 33 B2 80: byte 80 after the read-all status bytes, expected 33"
        )
        #expect(decoder.decode(&buffer) == .frame(.readAllReply(board: 1, channelBits: 1)))
    }

    @Test func aRequestDecoderSkipsAReadAllReply() {
        var decoder = EightACodec(decoding: .requests)
        var buffer = HexBytes.parse("80 01 00 00 01 33 B3")! + HexBytes.parse("80 01 01 33 B3")!
        let results = decoder.decodeAll(&buffer)
        #expect(results.last == .frame(.read(board: 1, channel: 1)))
        #expect(results.dropLast().allSatisfy { if case .skipped = $0 { true } else { false } })
    }

    // MARK: Rules and reasons

    @Test func checksumReasonNamesSeenAndExpected() {
        var decoder = EightACodec(decoding: .requests)
        var buffer = HexBytes.parse("80 01 01 33 B4")!
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 5, reason: "8A/80 board frame 80 01 01 33 B4: checksum (BCC) B4, expected B3")
        )
    }

    @Test(arguments: [
        (EightACodec.Direction.requests, "8A 00 01 11 9A", 2, "8A/80 board frame 8A 00: board address 00 is outside 01-1F"),
        (.replies, "80 20 00 00 00 33 93", 2, "8A/80 board frame 80 20: board address 20 is outside 01-1F"),
        (.requests, "8A 01 19 11 83", 3, "8A/80 board frame 8A 01 19: channel byte 19 is above 18 (channel 24)"),
        (.replies, "8A 01 19 11 83", 3, "8A/80 board frame 8A 01 19: channel byte 19 is above 18 (channel 24)"),
        (.requests, "8A 01 01 33 B9", 4, "8A/80 board frame 8A 01 01 33: fixed byte 33, expected 11"),
        (.requests, "80 01 01 11 91", 4, "8A/80 board frame 80 01 01 11: fixed byte 11, expected 33"),
        (.replies, "8A 01 01 22 A8", 4, "8A/80 board frame 8A 01 01 22: open reply status 22, expected 11 or 00"),
    ])
    func rejectsWhatTheRulesForbid(direction: EightACodec.Direction, hex: String, skipped: Int, reason: String) {
        var decoder = EightACodec(decoding: direction)
        var buffer = HexBytes.parse(hex)!
        #expect(decoder.decode(&buffer) == .skipped(byteCount: skipped, reason: reason))
    }

    @Test func aReplyDecoderWaitsForTheWholeReadAllReply() {
        // 80 frames are 7 bytes long in replies: five bytes that would make a read request wait.
        var decoder = EightACodec(decoding: .replies)
        var buffer = HexBytes.parse("80 01 00 00 01")!
        #expect(decoder.decode(&buffer) == nil)
        buffer += [0x33, 0xB3]
        #expect(decoder.decode(&buffer) == .frame(.readAllReply(board: 1, channelBits: 1)))
    }

    // MARK: Interpreting feedback

    @Test func openReplyStatusUnderBothPolarities() {
        let set = EightAFrame.openReply(board: 1, channel: 1, feedbackSet: true)
        let clear = EightAFrame.openReply(board: 1, channel: 1, feedbackSet: false)
        #expect(set.isOpen(polarity: .setMeansOpen) == true)
        #expect(set.isOpen(polarity: .setMeansClosed) == false)
        #expect(clear.isOpen(polarity: .setMeansOpen) == false)
        #expect(clear.isOpen(polarity: .setMeansClosed) == true)
        #expect(EightAFrame.open(board: 1, channel: 1).isOpen(polarity: .setMeansOpen) == nil)
    }

    @Test func readAllReplyGroupsHighestFirst() {
        // 80 AA S3 S2 S1 33: S1 = channels 1-8, S3 = channels 17-24.
        var decoder = EightACodec(decoding: .replies)
        var buffer = HexBytes.parse("80 01 01 01 00 33 B2")!
        guard case let .frame(frame)? = decoder.decode(&buffer) else {
            Issue.record("not decoded")
            return
        }
        #expect(frame == .readAllReply(board: 1, channelBits: 1 << 8 | 1 << 16))
        #expect(frame.isChannelOpen(9, polarity: .setMeansOpen) == true)
        #expect(frame.isChannelOpen(17, polarity: .setMeansOpen) == true)
        #expect(frame.isChannelOpen(1, polarity: .setMeansOpen) == false)
        #expect(frame.isChannelOpen(1, polarity: .setMeansClosed) == true)
        #expect(frame.isChannelOpen(25, polarity: .setMeansOpen) == nil)
        let open = frame.channelsOpen(polarity: .setMeansOpen)
        #expect(open?.count == 24)
        #expect(open.map(Self.numbersSet) == [9, 17])
    }

    static func numbersSet(_ flags: [Bool]) -> [Int] {
        flags.indices.filter { flags[$0] }.map { $0 + 1 }
    }

    @Test(arguments: EightAFeedbackPolarity.allCases)
    func readAllReplyBuiltFromChannelStatesReadsBack(polarity: EightAFeedbackPolarity) {
        var channels = Array(repeating: false, count: 24)
        channels[0] = true
        channels[23] = true
        let frame = EightAFrame.readAllReply(board: 31, channelsOpen: channels, polarity: polarity)
        #expect(frame.channelsOpen(polarity: polarity) == channels)
        var decoder = EightACodec(decoding: .replies)
        var buffer = EightACodec.encode(frame)
        #expect(decoder.decode(&buffer) == .frame(frame))
    }
}
