import LockerTestSupport
import LockerWire
import Testing

/// Our own board protocol against its published vectors (firmware-protocol/vectors/own-protocol.txt,
/// computed by an independent implementation of the framing) and against noise.
@Suite("Own board protocol codec")
struct OwnBoardCodecTests {
    static let table = "own-protocol.txt"
    static let vectors = VectorFile.vectorsOrNone(table)

    /// What each vector means, as typed messages (the table's MEANING column says it in words).
    static let meanings: [String: (address: UInt8, sequence: UInt8, message: OwnBoardMessage)] = [
        "identify": (3, 1, .identify),
        "identity": (3, 1, .identity(.init(firmware: (1, 2, 0), channelCount: 16,
                                           capabilities: [.itemSensors, .latchFeedback, .temperatureProbes, .indicators, .buzzer],
                                           bootID: 0x1234, model: "LBP-16IR"))),
        "read-status": (3, 2, .readStatus),
        "status": (3, 2, .status(.init(
            bootID: 0x1234,
            doorOpen: (1...16).map { [1, 3, 16].contains($0) },
            itemPresent: (1...16).map { $0 == 1 },
            latchReleased: Array(repeating: false, count: 16)))),
        "unlock": (3, 3, .unlock(channel: 5, pulseMilliseconds: 500)),
        "unlock-retry": (3, 3, .unlock(channel: 5, pulseMilliseconds: 500)),
        "unlocked": (3, 3, .unlocked(channel: 5, result: .pulsed)),
        "unlock-out-of-range": (3, 4, .unlocked(channel: 40, result: .channelOutOfRange)),
        "read-temperatures": (0, 9, .readTemperatures),
        "temperatures": (0, 9, .temperatures([.init(probe: 1, state: .ok, centiCelsius: 400),
                                              .init(probe: 2, state: .disconnected, centiCelsius: 0)])),
        "frozen-temperature": (0, 10, .temperatures([.init(probe: 1, state: .ok, centiCelsius: -1_800)])),
        "set-relay": (0, 11, .setRelay(relay: 1, on: true)),
        "relay-set": (0, 11, .relaySet(relay: 1, on: true)),
        "set-indicator": (31, 12, .setIndicator(channel: 7, pattern: 2)),
        "indicator-set": (31, 12, .indicatorSet(channel: 7, pattern: 2)),
        "buzzer": (1, 13, .buzzer(pattern: 4, durationMilliseconds: 2_000)),
        "buzzer-set": (1, 13, .buzzerSet(pattern: 4)),
        "read-events": (2, 14, .readEvents(acknowledgeUpTo: 6)),
        "events": (2, 14, .events([.init(number: 7, channel: 4, kind: .doorOpened, uptimeMilliseconds: 100_000),
                                   .init(number: 8, channel: 4, kind: .doorClosed, uptimeMilliseconds: 105_000)])),
        "unsolicited-event": (2, 0, .unsolicitedEvents([.init(number: 9, channel: 4, kind: .itemRemoved, uptimeMilliseconds: 110_000)])),
        "error-unknown-command": (2, 15, .error(failedCommand: 0x42, code: .unknownCommand)),
    ]

    @Test func tableLoadsAndEveryVectorHasAMeaning() throws {
        let vectors = try VectorFile.load(Self.table)
        #expect(vectors.count == Self.meanings.count)
        #expect(Set(vectors.map(\.name)) == Set(Self.meanings.keys))
    }

    @Test func crcAndCOBSMatchTheSpecification() {
        #expect(CRC16CCITT.checksum(Array("123456789".utf8)) == 0x29B1)
        #expect(COBS.encode([0x11, 0x22, 0x00, 0x33]) == [0x03, 0x11, 0x22, 0x02, 0x33])
        #expect(COBS.decode([0x03, 0x11, 0x22, 0x02, 0x33][...]) == [0x11, 0x22, 0x00, 0x33])
        let long = (0..<600).map { UInt8($0 % 255 + 1) }  // blocks of 254 non-zero bytes
        #expect(COBS.decode(COBS.encode(long)[...]) == long)
        #expect(!COBS.encode(long + [0] + long).contains(0))
        #expect(COBS.decode([0x05, 0x11][...]) == nil, "a block running past the end is invalid")
    }

    @Test(arguments: vectors) func decodesToItsMeaningAndReencodes(vector: WireVector) throws {
        var decoder = OwnBoardDecoder()
        var buffer = vector.bytes
        guard case .frame(let packet)? = decoder.decode(&buffer) else {
            Issue.record("\(vector.name) did not decode")
            return
        }
        #expect(buffer.isEmpty)
        #expect(packet.isFromBoard == (vector.direction == .reply))
        let expected = try #require(Self.meanings[vector.name])
        #expect(packet.address == expected.address && packet.sequence == expected.sequence)
        #expect(try OwnBoardMessage(packet: packet) == expected.message)
        #expect(expected.message.packet(address: expected.address, sequence: expected.sequence).frame == vector.bytes)
    }

    @Test(arguments: vectors) func decodesByteByByte(vector: WireVector) {
        var decoder = OwnBoardDecoder()
        var buffer: [UInt8] = []
        for (index, byte) in vector.bytes.enumerated() {
            buffer.append(byte)
            let result = decoder.decode(&buffer)
            if index < vector.bytes.count - 1 {
                #expect(result == nil, "\(vector.name) after \(index + 1) bytes")
            } else if case .frame? = result {
                #expect(buffer.isEmpty)
            } else {
                Issue.record("\(vector.name): no frame at the delimiter")
            }
        }
    }

    @Test func decodesTheWholeTableConcatenated() {
        var decoder = OwnBoardDecoder()
        var buffer = Self.vectors.flatMap(\.bytes)
        let results = decoder.decodeAll(&buffer)
        #expect(results.count == Self.vectors.count)
        #expect(results.allSatisfy { if case .frame = $0 { true } else { false } })
    }

    @Test(arguments: vectors) func resynchronisesAfterNoiseAtTheNextDelimiter(vector: WireVector) {
        var decoder = OwnBoardDecoder()
        // Noise ended by a delimiter, a frame cut short by noise, then the real frame.
        var buffer: [UInt8] = [0x13, 0x37, 0x42, 0x00] + vector.bytes.prefix(4) + [0x00] + vector.bytes
        let results = decoder.decodeAll(&buffer)
        #expect(results.count == 3)
        if case .skipped(_, let reason)? = results.first { #expect(!reason.isEmpty) } else { Issue.record("noise not skipped") }
        if case .frame? = results.last {} else { Issue.record("\(vector.name) not found after noise: \(results)") }
    }

    @Test(arguments: vectors) func aCorruptedByteIsRefusedWithAReason(vector: WireVector) {
        for position in 0..<(vector.bytes.count - 1) {
            var corrupted = vector.bytes
            corrupted[position] ^= 0x5A
            if corrupted[position] == 0 { continue }  // would be a delimiter: a different test
            var decoder = OwnBoardDecoder()
            var buffer = corrupted + vector.bytes
            let results = decoder.decodeAll(&buffer)
            guard case .skipped(_, let reason)? = results.first else {
                Issue.record("\(vector.name): corruption at byte \(position) accepted")
                continue
            }
            #expect(reason.contains("CRC") || reason.contains("COBS") || reason.contains("payload") || reason.contains("shorter")
                        || reason.contains("version") || reason.contains("reserved"), "\(reason)")
            if case .frame? = results.last {} else { Issue.record("\(vector.name): the next good frame was lost") }
        }
    }

    @Test func noiseWithoutDelimiterIsBoundedAndReported() {
        var decoder = OwnBoardDecoder()
        var buffer = [UInt8](repeating: 0x55, count: 500)
        let results = decoder.decodeAll(&buffer)
        #expect(results.count == 1)
        #expect(buffer.isEmpty, "memory stays bounded")
    }

    @Test func unknownCommandsAndBadPayloadsAreNamed() {
        let unknown = OwnBoardPacket(address: 1, isFromBoard: false, sequence: 1, command: 0x42)
        #expect(throws: OwnBoardMessage.DecodingError.unknownCommand(0x42, fromBoard: false)) {
            try OwnBoardMessage(packet: unknown)
        }
        let short = OwnBoardPacket(address: 1, isFromBoard: false, sequence: 1, command: 0x03, payload: [1])
        #expect(throws: OwnBoardMessage.DecodingError.self) { try OwnBoardMessage(packet: short) }
    }

    /// Random bytes with valid frames between them (each after a delimiter, as a sender that
    /// starts frames with 00 does): no crash, always progress, every frame found intact.
    @Test func fuzzedStreamsNeverCrashAndLoseNoDelimitedFrame() throws {
        var random = SplitMix64(seed: 0x00C0_BEEF)
        var stream: [UInt8] = []
        var inserted: [OwnBoardPacket] = []
        while stream.count < 200_000 {
            stream += (0..<Int.random(in: 0..<40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let packet = OwnBoardPacket(
                address: UInt8.random(in: 0...31, using: &random), isFromBoard: Bool.random(using: &random),
                sequence: UInt8.random(in: 0...255, using: &random), command: UInt8.random(in: 0...255, using: &random),
                payload: (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
            inserted.append(packet)
            stream += [0] + packet.frame
        }
        var decoder = OwnBoardDecoder()
        var buffer: [UInt8] = []
        var found: [OwnBoardPacket] = []
        var offset = 0
        while offset < stream.count {
            let step = Int.random(in: 1...64, using: &random)
            buffer += stream[offset..<min(offset + step, stream.count)]
            offset += step
            while let result = decoder.decode(&buffer) {
                if case .frame(let packet) = result { found.append(packet) }
            }
            #expect(buffer.count <= 512)
        }
        // Random noise can, very rarely, form a valid frame by itself; every inserted one is there.
        var cursor = found.makeIterator()
        var matched = 0
        for packet in inserted {
            while let next = cursor.next() {
                if next == packet { matched += 1; break }
            }
        }
        #expect(matched == inserted.count)
    }
}
