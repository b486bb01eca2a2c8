import LockerWire
import Testing

/// Version 2 of our own board protocol and the negative vectors (firmware-protocol/vectors/
/// own-protocol-v2.txt and own-protocol-negative.txt, computed by an independent implementation
/// of the framing): what each frame means, and what a host must skip, refuse or survive.
@Suite("Own board protocol version 2 and negative vectors")
struct OwnBoardVersion2VectorTests {
    static func decode(_ bytes: [UInt8]) -> FrameDecoding<OwnBoardPacket>? {
        var buffer = bytes
        var decoder = OwnBoardDecoder()
        return decoder.decode(&buffer)
    }

    static func message(_ vector: WireVector) throws -> OwnBoardMessage {
        guard case .frame(let packet)? = decode(vector.bytes) else {
            throw VectorFileError(description: "\(vector.name) does not decode to a packet")
        }
        return try OwnBoardMessage(packet: packet)
    }

    static let version2: [String: (address: UInt8, sequence: UInt8, message: OwnBoardMessage)] = [
        "identity-v2": (3, 1, .identity(.init(protocolVersion: 2, firmware: (2, 0, 0), channelCount: 16,
                                              capabilities: [.itemSensors, .indicators], bootID: 0x5678, model: "LBP-16IR"))),
        "read-events-v2": (2, 20, .readEventsOfBoot(bootID: 0x5678, acknowledgeUpTo: 6)),
        "events-v2": (2, 20, .eventsOfBoot(bootID: 0x5678, events: [
            .init(number: 7, channel: 4, kind: .doorOpened, uptimeMilliseconds: 100_000)])),
        "events-v2-after-reboot": (2, 21, .eventsOfBoot(bootID: 0x9ABC, events: [
            .init(number: 1, channel: 3, kind: .doorOpened, uptimeMilliseconds: 900)])),
        "events-v2-empty": (2, 22, .eventsOfBoot(bootID: 0x9ABC, events: [])),
    ]

    @Test func version2VectorsDecodeToTheirMeaningAndEncodeByteForByte() throws {
        let vectors = try VectorFile.load("own-protocol-v2.txt")
        #expect(Set(vectors.map(\.name)) == Set(Self.version2.keys))
        for vector in vectors {
            let meaning = try #require(Self.version2[vector.name])
            #expect(try Self.message(vector) == meaning.message, "\(vector.name)")
            #expect(meaning.message.packet(address: meaning.address, sequence: meaning.sequence).frame == vector.bytes,
                    "\(vector.name)")
        }
    }

    @Test func negativeVectorsAreSkippedRefusedOrReadAsWhatTheyAre() throws {
        let vectors = try VectorFile.load("own-protocol-negative.txt")
        let byName = Dictionary(uniqueKeysWithValues: vectors.map { ($0.name, $0) })
        #expect(byName.count == 10)
        for name in ["bad-crc", "bad-length"] {
            let vector = try #require(byName[name])
            guard case .skipped? = Self.decode(vector.bytes) else {
                Issue.record("\(name) must be skipped, got \(String(describing: Self.decode(vector.bytes)))")
                continue
            }
        }
        #expect(try Self.message(#require(byName["busy"])) == .error(failedCommand: 0x03, code: .busy))
        #expect(try Self.message(#require(byName["events-lost"])) == .events([
            .init(number: 40, channel: 0, kind: .eventsLost, uptimeMilliseconds: 200_000)]))
        let twelve = (1...12).map { $0 == 1 || $0 == 12 }
        #expect(try Self.message(#require(byName["status-12-channels"])) == .status(.init(
            bootID: 0x1234, doorOpen: twelve, itemPresent: Array(repeating: false, count: 12),
            latchReleased: Array(repeating: false, count: 12))))
        let third = (1...8).map { $0 == 3 }
        #expect(try Self.message(#require(byName["status-latch-released"])) == .status(.init(
            bootID: 0x1234, doorOpen: third, itemPresent: Array(repeating: false, count: 8), latchReleased: third)))
        #expect(try Self.message(#require(byName["latch-fault"])) == .unlocked(channel: 5, result: .latchFault))
        guard case .events(let mixed) = try Self.message(#require(byName["unknown-event-kind"])) else {
            Issue.record("unknown-event-kind must still decode")
            return
        }
        #expect(mixed.map(\.kind.isKnown) == [false, true], "one unknown kind does not make the reply unreadable")
        guard case .events(let zero) = try Self.message(#require(byName["event-number-zero"])) else {
            Issue.record("event-number-zero decodes; the driver refuses it")
            return
        }
        #expect(zero.map(\.number) == [0])
        #expect(throws: OwnBoardMessage.DecodingError.self) { try Self.message(#require(byName["events-count-mismatch"])) }
    }
}
