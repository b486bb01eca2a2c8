import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// The simulated board speaks our protocol through the same codec the host uses; these tests hold
/// it to the promises a real firmware must keep.
@Suite struct SimulatedOwnBoardTests {
    final class Latches: Sendable {
        let pulses = Mutex<[Int]>([])
        let doors = Mutex<[Bool]>(Array(repeating: false, count: 8))

        var hardware: SimulatedOwnBoard.Hardware {
            .init(channelCount: 8, readDoors: { (self.doors.withLock { $0 }, Array(repeating: false, count: 8)) },
                  pulse: { channel in
                      self.pulses.withLock { $0.append(channel) }
                      self.doors.withLock { $0[channel - 1] = true }
                      return true
                  })
        }
    }

    func reply(_ bytes: [UInt8]) throws -> OwnBoardMessage {
        var buffer = bytes
        var decoder = OwnBoardDecoder()
        guard case .frame(let packet)? = decoder.decode(&buffer) else {
            Issue.record("no reply frame in \(bytes)")
            throw CancellationError()
        }
        #expect(packet.isFromBoard)
        return try OwnBoardMessage(packet: packet)
    }

    @Test func aRetriedUnlockIsExecutedOnce() throws {
        let latches = Latches()
        var board = SimulatedOwnBoard(address: 3, hardware: latches.hardware)
        let unlock = OwnBoardMessage.unlock(channel: 5, pulseMilliseconds: 500).packet(address: 3, sequence: 7).frame
        let first = board.receive(unlock)
        let retry = board.receive(unlock)
        #expect(try reply(first) == .unlocked(channel: 5, result: .pulsed))
        #expect(retry == first, "the remembered reply, byte for byte")
        #expect(latches.pulses.withLock { $0 } == [5], "one pulse for two requests")
        _ = board.receive(OwnBoardMessage.unlock(channel: 5, pulseMilliseconds: 500).packet(address: 3, sequence: 8).frame)
        #expect(latches.pulses.withLock { $0 } == [5, 5], "a new sequence number is a new command")
    }

    @Test func requestsForAnotherBoardOrGarbledAreNotAnswered() throws {
        let latches = Latches()
        var board = SimulatedOwnBoard(address: 3, hardware: latches.hardware)
        #expect(board.receive(OwnBoardMessage.readStatus.packet(address: 4, sequence: 1).frame).isEmpty)
        var corrupted = OwnBoardMessage.unlock(channel: 1, pulseMilliseconds: 300).packet(address: 3, sequence: 2).frame
        corrupted[4] ^= 0x40
        #expect(board.receive(corrupted).isEmpty)
        #expect(board.garbage.count == 1)
        #expect(latches.pulses.withLock { $0 }.isEmpty)
        // Noise, then a good request in the same read: the delimiter resynchronises.
        let answer = board.receive([0x13, 0x37, 0x00] + OwnBoardMessage.readStatus.packet(address: 3, sequence: 3).frame)
        guard case .status(let status) = try reply(answer) else {
            Issue.record("expected a status reply")
            return
        }
        #expect(status.doorOpen.count == 8)
    }

    @Test func statusReflectsTheDoorsAndOutOfRangeChannelsAreRefused() throws {
        let latches = Latches()
        var board = SimulatedOwnBoard(address: 0, hardware: latches.hardware)
        _ = board.receive(OwnBoardMessage.unlock(channel: 2, pulseMilliseconds: 500).packet(address: 0, sequence: 1).frame)
        guard case .status(let status) = try reply(board.receive(OwnBoardMessage.readStatus.packet(address: 0, sequence: 2).frame)) else {
            Issue.record("expected a status reply")
            return
        }
        #expect(status.doorOpen == [false, true, false, false, false, false, false, false])
        let refused = try reply(board.receive(OwnBoardMessage.unlock(channel: 9, pulseMilliseconds: 500).packet(address: 0, sequence: 3).frame))
        #expect(refused == .unlocked(channel: 9, result: .channelOutOfRange))
    }

    @Test func eventsAreKeptUntilTheHostAcknowledgesThem() throws {
        let latches = Latches()
        var board = SimulatedOwnBoard(address: 1, hardware: latches.hardware)
        board.record(channel: 4, kind: .doorOpened, uptimeMilliseconds: 1_000)
        board.record(channel: 4, kind: .doorClosed, uptimeMilliseconds: 2_000)
        let all = try reply(board.receive(OwnBoardMessage.readEvents(acknowledgeUpTo: 0).packet(address: 1, sequence: 1).frame))
        guard case .events(let events) = all else {
            Issue.record("expected events")
            return
        }
        #expect(events.map(\.number) == [1, 2])
        #expect(events.map(\.kind) == [.doorOpened, .doorClosed], "an open-take-close between polls is not lost")
        let rest = try reply(board.receive(OwnBoardMessage.readEvents(acknowledgeUpTo: 1).packet(address: 1, sequence: 2).frame))
        #expect(rest == .events([.init(number: 2, channel: 4, kind: .doorClosed, uptimeMilliseconds: 2_000)]))
    }
}
