import LockerTestSupport
import LockerWire
import Testing

@Suite("Kerong CU48 codec")
struct KerongCU48CodecTests {
    static let table = "kerong-cu48.txt"
    static let vectors = VectorFile.vectorsOrNone(table)
    static let codec = CodecUnderTest<KerongCU48Codec>(
        family: "Kerong CU48",
        makeDecoder: { _ in KerongCU48Codec() },
        encode: { KerongCU48Codec.encode($0) },
        isRequest: { $0.isRequest },
        startBytes: [KerongCU48Codec.startByte],
        maxFrameLength: KerongCU48Codec.maxFrameLength
    )

    static func randomFrame(_ random: inout SplitMix64) -> KerongCU48Frame {
        let board = Int.random(in: KerongCU48Frame.boards, using: &random)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return .statusRequest(board: board)
        case 1: return .unlock(board: board, lock: Int.random(in: KerongCU48Frame.locks, using: &random))
        case 2: return .unlockAll(board: board)
        default:
            return .status(
                board: board,
                doorBits: random.next() & KerongCU48Frame.bitMask,
                itemBits: random.next() & KerongCU48Frame.bitMask
            )
        }
    }

    // MARK: The vector table, through the shared decoder checks

    @Test func tableLoadsWithEveryPublishedExample() throws {
        let vectors = try VectorFile.load(Self.table)
        #expect(vectors.count == Self.vectors.count)
        #expect(vectors.filter { $0.direction == .request }.count >= 6)
        #expect(vectors.filter { $0.direction == .reply }.count >= 6)
        let frames = Set(vectors.map { HexBytes.format($0.bytes) })
        for example in ["02 00 00 60 03 65", "02 00 00 61 03 66", "02 00 01 61 03 67"] {
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
        Self.codec.checkDecodesConcatenated(Self.vectors, with: KerongCU48Codec())
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
        Self.codec.checkFuzz(seed: 0xC048_0001, direction: .request, randomFrame: Self.randomFrame)
    }

    // MARK: Rules and reasons

    @Test func checksumReasonNamesSeenAndExpected() {
        var decoder = KerongCU48Codec()
        var buffer = HexBytes.parse("02 00 01 61 03 66")!
        #expect(
            decoder.decode(&buffer)
                == .skipped(byteCount: 6, reason: "Kerong CU48 frame 02 00 01 61 03 66: checksum 66, expected 67")
        )
    }

    @Test(arguments: [
        ("02 00 31 61 03 97", 3, "Kerong CU48 frame 02 00 31: LOCK byte 31 is above 30"),
        ("02 00 05 60 03 6A", 4, "Kerong CU48 frame 02 00 05 60: LOCK byte 05 with command 60, expected 00"),
        ("02 00 01 75", 4, "Kerong CU48 frame 02 00 01 75: LOCK byte 01 with command 75, expected 00"),
        ("02 00 00 62 03 67", 4, "Kerong CU48 frame 02 00 00 62: unknown command 62"),
        ("02 00 00 61 02 00 00 61 03 66", 4, "Kerong CU48 frame 02 00 00 61 02: end byte 02, expected 03"),
    ])
    func rejectsWhatTheRulesForbid(hex: String, skipped: Int, reasonPrefix: String) {
        var decoder = KerongCU48Codec()
        var buffer = HexBytes.parse(hex)!
        guard case let .skipped(byteCount, reason)? = decoder.decode(&buffer) else {
            Issue.record("not skipped")
            return
        }
        #expect(byteCount == skipped)
        #expect(reason.hasPrefix(reasonPrefix), "\(reason)")
    }

    @Test func unlockAllIsLock30() {
        #expect(KerongCU48Codec.encode(.unlockAll(board: 0)) == HexBytes.parse("02 00 30 61 03 96"))
        #expect(KerongCU48Codec.encode(.unlock(board: 0, lock: 48)) == HexBytes.parse("02 00 2F 61 03 95"))
    }

    // MARK: Interpreting status

    @Test func statusBitsDefaultToTheSheetsPolarity() {
        // Bit 0 of L0 = lock 1, 1 = lock closed (the sheet).
        let frame = KerongCU48Frame.status(board: 0, doorBits: 0b1, itemBits: 1 << 47)
        #expect(frame.isDoorOpen(lock: 1) == false)
        #expect(frame.isDoorOpen(lock: 2) == true)
        #expect(frame.isDoorOpen(lock: 1, polarity: .setMeansOpen) == true)
        #expect(frame.isDoorOpen(lock: 49) == nil)
        #expect(frame.isItemPresent(lock: 48) == true)
        #expect(frame.isItemPresent(lock: 47) == false)
        #expect(frame.doorsOpen()?.count == 48)
        #expect(frame.doorsOpen()?.filter { !$0 }.count == 1)
        #expect(frame.itemsPresent?.last == true)
        #expect(KerongCU48Frame.statusRequest(board: 0).doorsOpen() == nil)
    }

    @Test(arguments: KerongLockPolarity.allCases)
    func statusBuiltFromLockStatesReadsBack(polarity: KerongLockPolarity) {
        var doors = Array(repeating: false, count: 48)
        doors[0] = true
        doors[24] = true
        doors[47] = true
        var items = Array(repeating: false, count: 48)
        items[23] = true
        let frame = KerongCU48Frame.status(board: 9, doorsOpen: doors, itemsPresent: items, polarity: polarity)
        #expect(frame.doorsOpen(polarity: polarity) == doors)
        #expect(frame.itemsPresent == items)
        var decoder = KerongCU48Codec()
        var buffer = KerongCU48Codec.encode(frame)
        #expect(buffer.count == KerongCU48Codec.replyLength)
        #expect(decoder.decode(&buffer) == .frame(frame))
    }
}
