import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// Frames lost on the line and frames that were already on it before a request (issue 14,
/// sequences 3 and 7): a lost open reply or request on an 8A/80 board never takes the board
/// offline, and bytes received before a request never answer it, on every polled family.
@Suite(.serialized) struct LostAndStaleFrameTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 120, retries: 1, interFrameGapMilliseconds: 1)

    static func eightA(_ address: Int, _ locks: SimulatedLocks) throws -> ByteBoardServer {
        let simulated = SharedBoard(SimulatedEightABoard(address: address, polarity: .setMeansOpen, hardware: .init(
            channelCount: 8, readDoors: { locks.doors }, pulse: { locks.pulse($0) })))
        return try ByteBoardServer([{ bytes in simulated.withBoard { $0.receive(bytes) } }])
    }

    static func kerong<Codec: KerongCodec>(_ codec: Codec.Type, _ board: Int, _ locks: SimulatedLocks) throws -> ByteBoardServer {
        let simulated = SharedBoard(SimulatedKerongBoard<Codec>(board: board, polarity: .setMeansOpen, hardware: .init(
            readDoors: { (locks.doors, locks.items.withLock { $0 }) }, pulse: { locks.pulse($0) })))
        return try ByteBoardServer([{ bytes in simulated.withBoard { $0.receive(bytes) } }])
    }

    @Test func aLostOpenReplyIsNotABoardFailureAndDoesNotPulseTwice() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server = try Self.eightA(2, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 2, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)

        server.loseReplies(1)
        try await board.unlock(channel: 5, pulseMilliseconds: 300)
        #expect(locks.pulsed == [5], "the lock read open after the lost reply: no second pulse")
        await board.pollOnce(delivering: handler)
        #expect(handler.recorded == [.doorChanged(board: 2, channel: 5, isOpen: true)], "the board was never lost")
        await bus.close()
    }

    @Test func aLostOpenRequestIsSentOnceMoreAndTheDoorOpens() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server = try Self.eightA(3, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 3, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)

        server.loseRequests(1)
        try await board.unlock(channel: 2, pulseMilliseconds: 300)
        #expect(locks.pulsed == [2])
        #expect(await board.lastUnlockReportedOpen == true)
        await board.pollOnce(delivering: handler)
        #expect(handler.recorded == [.doorChanged(board: 3, channel: 2, isOpen: true)])
        await bus.close()
    }

    @Test func aSilentEightABoardStillFailsTheUnlock() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server = try Self.eightA(4, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 4, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        server.setSilent(true)
        await #expect {
            try await board.unlock(channel: 1, pulseMilliseconds: 300)
        } throws: { error in
            guard case HardwareError.boardNotAnswering(board: 4, _) = error else { return false }
            return true
        }
        await bus.close()
    }

    @Test func aStaleEightAFrameOnTheLineNeverAnswersARequest() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server = try Self.eightA(1, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 1, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        _ = try await board.readStatus()  // the line is open

        server.inject(EightACodec.encode(.readAllReply(board: 1, channelsOpen: [true, true], polarity: .setMeansOpen)))
        #expect(try await board.readStatus().doorOpen == Array(repeating: false, count: 8))
        #expect(bus.discardedBytes >= 7)
        await bus.close()
    }

    @Test func aStaleKerongCU16FrameOnTheLineNeverAnswersARequest() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let server = try Self.kerong(KerongCU16Codec.self, 1, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 1, polarity: .setMeansOpen, hasItemSensors: true, bus: bus)
        _ = try await board.readStatus()

        server.inject(KerongCU16Codec.encode(KerongCU16Frame.status(
            board: 1, doorsOpen: [true], itemsPresent: [true], polarity: .setMeansOpen, answering: .status)))
        let status = try await board.readStatus()
        #expect(status.doorOpen == Array(repeating: false, count: 16))
        #expect(status.itemPresent == Array(repeating: false, count: 16))
        await bus.close()
    }

    @Test func aStaleKerongCU48FrameOnTheLineNeverAnswersARequest() async throws {
        let locks = SimulatedLocks(channelCount: 48)
        let server = try Self.kerong(KerongCU48Codec.self, 7, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU48LockBoard(address: 7, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        _ = try await board.readStatus()

        server.inject(KerongCU48Codec.encode(KerongCU48Frame.status(
            board: 7, doorsOpen: [false, true], itemsPresent: [], polarity: .setMeansOpen, answering: .status)))
        #expect(try await board.readStatus().doorOpen == Array(repeating: false, count: 48))
        await bus.close()
    }
}
