import LockerTestSupport
import LockerWire
import Testing

@Suite("Kerong CU16 codec")
struct KerongCU16CodecTests {
    static let table = "kerong-cu16.txt"
    static let vectors = VectorFile.vectorsOrNone(table)
    static let codec = CodecUnderTest<KerongCU16Codec>(
        family: "Kerong CU16",
        makeDecoder: { _ in KerongCU16Codec() },
        encode: { KerongCU16Codec.encode($0) },
        isRequest: { $0.isRequest },
        startBytes: [KerongCU16Codec.startByte],
        maxFrameLength: KerongCU16Codec.maxFrameLength
    )

    static func randomFrame(_ random: inout SplitMix64) -> KerongCU16Frame {
        let board = Int.random(in: KerongCU16Frame.boards, using: &random)
        let doorBits = UInt16.random(in: .min ... .max, using: &random)
        let itemBits = UInt16.random(in: .min ... .max, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return .statusRequest(board: board)
        case 1: return .unlock(board: board, lock: Int.random(in: KerongCU16Frame.locks, using: &random))
        case 2: return .busStatusRequest
        case 3: return .unlockAll(board: board)
        case 4: return .status(board: board, doorBits: doorBits, itemBits: itemBits)
        default: return .busStatus(board: board, doorBits: doorBits, itemBits: itemBits)
        }
    }

    // MARK: The vector table, through the shared decoder checks

    @Test func tableLoadsWithEveryPublishedExample() throws {
        let vectors = try VectorFile.load(Self.table)
        #expect(vectors.count == Self.vectors.count)
        #expect(vectors.filter { $0.direction == .request }.count >= 8)
        #expect(vectors.filter { $0.direction == .reply }.count >= 8)
        let frames = Set(vectors.map { HexBytes.format($0.bytes) })
        for example in ["02 00 31 03 36", "02 0F 31 03 45", "02 00 30 03 35", "02 F0 32 03 27", "02 10 30 03 45"] {
            #expect(frames.contains(example), "\(example)")
        }
    }

    @Test(arguments: vectors) func decodesWhole(vector: WireVector) {
        Self.codec.checkDecodesWhole(vector)
    }

    @Test(arguments: vectors) func decodesByteByByte(vector: WireVector) {
        Self.codec.checkDecodesByteByByte(vector)
    }

    @Test func decodesTheWholeTableConcatenated() {
        Self.codec.checkDecodesConcatenated(Self.vectors, with: KerongCU16Codec())
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

    @Test func survivesRandomInput() {
        Self.codec.checkFuzz(seed: 0xC016_0001, direction: .request, randomFrame: Self.randomFrame)
    }

    // MARK: Rules and reasons

    @Test func checksumReasonNamesSeenAndExpected() {
        var decoder = KerongCU16Codec()
        var buffer: [UInt8] = [0x02, 0x00, 0x31, 0x03, 0x99]
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 5, reason: "Kerong CU16 frame 02 00 31 03 99: checksum 99, expected 36")
        )
        #expect(buffer.isEmpty)
    }

    /// The public notes print the status request to board 1 as `02 10 30 03 3E`; its checksum
    /// breaks their own sum rule (02+10+30+03 = 45).
    @Test func publishedStatusRequestToBoard1FailsTheSumRule() {
        var decoder = KerongCU16Codec()
        var buffer = HexBytes.parse("02 10 30 03 3E")!
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 5, reason: "Kerong CU16 frame 02 10 30 03 3E: checksum 3E, expected 45")
        )
        #expect(KerongCU16Codec.encode(.statusRequest(board: 1)) == HexBytes.parse("02 10 30 03 45"))
    }

    @Test(arguments: [
        ("02 00 34 03 39", 3, "Kerong CU16 frame 02 00 34: unknown command 34"),
        ("02 00 02 00 31 03 36", 2, "Kerong CU16 frame 02 00 02: unknown command 02"),
        ("02 A0 30 03 D5", 3, "Kerong CU16 frame 02 A0 30: address A0 names board 10, outside 0-9"),
        ("02 01 30 03 36", 3, "Kerong CU16 frame 02 01 30: address 01 names lock index 1, but command 30"),
        ("02 05 35 00 00 00 00 03 3F", 3, "Kerong CU16 frame 02 05 35: address 05 names lock index 5"),
        ("02 00 32 03 37", 3, "Kerong CU16 frame 02 00 32: bus status request to address 00, expected F0"),
        ("02 00 31 04 37", 4, "Kerong CU16 frame 02 00 31 04: end byte 04, expected 03"),
        ("02 00 35 00 00 00 00 04 3B", 8, "Kerong CU16 frame 02 00 35 00 00 00 00 04: end byte 04, expected 03"),
    ])
    func rejectsWhatTheRulesForbid(hex: String, skipped: Int, reasonPrefix: String) {
        var decoder = KerongCU16Codec()
        var buffer = HexBytes.parse(hex)!
        guard case let .skipped(byteCount, reason)? = decoder.decode(&buffer) else {
            Issue.record("not skipped")
            return
        }
        #expect(byteCount == skipped)
        #expect(reason.hasPrefix(reasonPrefix), "\(reason)")
    }

    @Test func noiseIsDroppedInOneStepUpToTheNextStartByte() {
        var decoder = KerongCU16Codec()
        var buffer = HexBytes.parse("FF 00 31 03 02 00 31 03 36")!
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 4, reason: "Kerong CU16: 4 bytes of noise before a start byte 02: FF 00 31 03")
        )
        #expect(decoder.decode(&buffer) == .frame(.unlock(board: 0, lock: 1)))
        var noise = HexBytes.parse("33 36")!
        #expect(
            decoder.decode(&noise)
                == .skipped(byteCount: 2, reason: "Kerong CU16: 2 bytes of noise without a start byte 02: 33 36")
        )
        var empty: [UInt8] = []
        #expect(decoder.decode(&empty) == nil)
    }

    @Test func truncatedFrameOvertakenByTheNextOne() {
        var decoder = KerongCU16Codec()
        var buffer = HexBytes.parse("02 00 35 01 02 00 31 03 36")!
        // A status reply cut after 4 bytes, then a whole unlock: the 9 bytes even end in 03 and a
        // checksum byte, so only the checksum exposes them; the skip stops at the unlock's start.
        #expect(
            decoder.decode(&buffer)
                == .skipped(
                    byteCount: 4,
                    reason: "Kerong CU16 frame 02 00 35 01 02 00 31 03 36: checksum 36, expected 6E"
                )
        )
        #expect(decoder.decode(&buffer) == .frame(.unlock(board: 0, lock: 1)))
        #expect(buffer.isEmpty)
    }

    @Test func waitingNeverHoldsAWholeFrame() {
        var decoder = KerongCU16Codec()
        var buffer = HexBytes.parse("02 00 35 00 00 00 00 03")!
        #expect(decoder.decode(&buffer) == nil)
        #expect(buffer.count < KerongCU16Codec.maxFrameLength)
    }

    // MARK: Interpreting status

    @Test func statusBitsUnderBothPolarities() {
        let frame = KerongCU16Frame.status(board: 3, doorBits: 0x8105, itemBits: 0x0104)
        #expect(frame.isDoorOpen(lock: 1, polarity: .setMeansOpen) == true)
        #expect(frame.isDoorOpen(lock: 2, polarity: .setMeansOpen) == false)
        #expect(frame.isDoorOpen(lock: 16, polarity: .setMeansOpen) == true)
        #expect(frame.isDoorOpen(lock: 1, polarity: .setMeansClosed) == false)
        #expect(frame.isDoorOpen(lock: 2, polarity: .setMeansClosed) == true)
        #expect(frame.isDoorOpen(lock: 0, polarity: .setMeansOpen) == nil)
        #expect(frame.isDoorOpen(lock: 17, polarity: .setMeansOpen) == nil)
        #expect(frame.isItemPresent(lock: 3) == true)
        #expect(frame.isItemPresent(lock: 9) == true)
        #expect(frame.isItemPresent(lock: 1) == false)
        let open = frame.doorsOpen(polarity: .setMeansOpen)
        #expect(open?.count == 16)
        #expect(open.map(Self.numbersSet) == [1, 3, 9, 16])
        #expect(frame.doorsOpen(polarity: .setMeansClosed) == open?.map { !$0 })
        #expect(frame.itemsPresent.map(Self.numbersSet) == [3, 9])
        #expect(KerongCU16Frame.unlock(board: 0, lock: 1).isDoorOpen(lock: 1, polarity: .setMeansOpen) == nil)
        #expect(KerongCU16Frame.busStatusRequest.itemsPresent == nil)
        let busStatus = KerongCU16Frame.busStatus(board: 0, doorBits: 1, itemBits: 0)
        #expect(busStatus.isDoorOpen(lock: 1, polarity: .setMeansOpen) == true)
    }

    static func numbersSet(_ flags: [Bool]) -> [Int] {
        flags.indices.filter { flags[$0] }.map { $0 + 1 }
    }

    @Test(arguments: KerongLockPolarity.allCases)
    func statusBuiltFromLockStatesReadsBack(polarity: KerongLockPolarity) {
        var doors = Array(repeating: false, count: 16)
        doors[0] = true
        doors[15] = true
        var items = Array(repeating: false, count: 16)
        items[4] = true
        let frame = KerongCU16Frame.status(board: 2, doorsOpen: doors, itemsPresent: items, polarity: polarity)
        #expect(frame.doorsOpen(polarity: polarity) == doors)
        #expect(frame.itemsPresent == items)
        var decoder = KerongCU16Codec()
        var buffer = KerongCU16Codec.encode(frame)
        #expect(decoder.decode(&buffer) == .frame(frame))
        // Short arrays mean "closed and empty" for the missing locks.
        let short = KerongCU16Frame.status(board: 2, doorsOpen: [true], itemsPresent: [], polarity: polarity)
        #expect(short.doorsOpen(polarity: polarity) == [true] + Array(repeating: false, count: 15))
    }

    @Test func frameProperties() {
        #expect(KerongCU16Frame.busStatusRequest.board == nil)
        #expect(KerongCU16Frame.unlock(board: 7, lock: 3).board == 7)
        #expect(KerongCU16Frame.busStatusRequest.isRequest)
        #expect(!KerongCU16Frame.busStatus(board: 1, doorBits: 0, itemBits: 0).isRequest)
    }
}
