import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// The Kerong KR-CU16 driver over a pseudo-terminal, against simulated boards that use the same
/// codec from the board side.
@Suite(.serialized) struct KerongCU16LockBoardTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 120, retries: 1, interFrameGapMilliseconds: 1)

    static func simulated(_ board: Int, _ locks: SimulatedLocks,
                          polarity: KerongLockPolarity = .setMeansOpen) -> SharedBoard<SimulatedKerongCU16Board> {
        SharedBoard(SimulatedKerongCU16Board(board: board, polarity: polarity, hardware: .init(
            readDoors: { (locks.doors, locks.items.withLock { $0 }) },
            pulse: { locks.pulse($0) })))
    }

    static func serve(_ boards: SharedBoard<SimulatedKerongCU16Board>...) throws -> ByteBoardServer {
        try ByteBoardServer(boards.map { board in { bytes in board.withBoard { $0.receive(bytes) } } })
    }

    @Test func unlockIsConfirmedByStatusAndTheDoorReadsOpen() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        locks.set(channel: 2, item: true)
        let simulated = Self.simulated(3, locks)
        let server = try Self.serve(simulated)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: KerongCU16LockBoard.defaultBaud), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 3, polarity: .setMeansOpen, hasItemSensors: true, bus: bus)

        try await board.unlock(channel: 16, pulseMilliseconds: 500)
        #expect(locks.pulsed == [16])
        #expect(simulated.withBoard { $0.executed } == [.unlock(board: 3, lock: 16), .statusRequest(board: 3)])
        let status = try await board.readStatus()
        #expect(status.doorOpen == (1...16).map { $0 == 16 })
        #expect(status.itemPresent == (1...16).map { $0 == 2 })
        await bus.close()
    }

    @Test func aLatchThatDoesNotOpenIsNotAnErrorButIsSentOnce() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        locks.jammed.store(true, ordering: .relaxed)
        let server = try Self.serve(Self.simulated(0, locks))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 0, channelCount: 12, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)

        try await board.unlock(channel: 1, pulseMilliseconds: 500)
        #expect(locks.pulsed == [1], "no retry of an unlock: the board would pulse again")
        let status = try await board.readStatus()
        #expect(status.doorOpen == Array(repeating: false, count: 12))
        #expect(status.itemPresent == nil)
        await #expect(throws: HardwareError.channelOutOfRange(board: 0, channel: 13, channelCount: 12)) {
            try await board.unlock(channel: 13, pulseMilliseconds: 500)
        }
        await bus.close()
    }

    @Test func thePolarityOptionInvertsTheLockBits() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        locks.set(channel: 4, open: true)
        // This board revision reports a set bit for a closed lock.
        let server = try Self.serve(Self.simulated(1, locks, polarity: .setMeansClosed))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let matching = try KerongCU16LockBoard(address: 1, polarity: .setMeansClosed, hasItemSensors: false, bus: bus)
        let inverted = try KerongCU16LockBoard(address: 1, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)

        #expect(try await matching.readStatus().doorOpen == (1...16).map { $0 == 4 })
        #expect(try await inverted.readStatus().doorOpen == (1...16).map { $0 != 4 })
        try await matching.unlock(channel: 9, pulseMilliseconds: 500)
        #expect(try await matching.readStatus().doorOpen == (1...16).map { $0 == 4 || $0 == 9 })
        await bus.close()
    }

    @Test func aBoardThatDoesNotAnswerIsReportedAndItsReturnToo() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let server = try Self.serve(Self.simulated(5, locks))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 5, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)

        server.setSilent(true)
        await #expect {
            try await board.unlock(channel: 2, pulseMilliseconds: 500)
        } throws: { error in
            guard case HardwareError.boardNotAnswering(board: 5, _) = error else { return false }
            return true
        }
        await #expect {
            try await board.readStatus()
        } throws: { error in
            guard case HardwareError.boardNotAnswering(board: 5, _) = error else { return false }
            return true
        }
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)  // still lost: reported once
        server.setSilent(false)
        await board.pollOnce(delivering: handler)
        let events = handler.recorded
        // The unlock was executed while the board was mute: its door change follows its return.
        guard events.count == 3, case .boardLost(board: 5, _) = events[0], events[1] == .boardBack(board: 5),
              events[2] == .doorChanged(board: 5, channel: 2, isOpen: true) else {
            Issue.record("expected lost, back, door 2 open; got \(events)")
            return
        }
        await bus.close()
    }

    @Test func twoBoardsShareOneBus() async throws {
        let first = SimulatedLocks(channelCount: 16), second = SimulatedLocks(channelCount: 16)
        let server = try Self.serve(Self.simulated(0, first), Self.simulated(9, second))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let boardZero = try KerongCU16LockBoard(address: 0, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        let boardNine = try KerongCU16LockBoard(address: 9, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)

        async let a: Void = boardZero.unlock(channel: 1, pulseMilliseconds: 500)
        async let b: Void = boardNine.unlock(channel: 7, pulseMilliseconds: 500)
        _ = try await (a, b)
        #expect(first.pulsed == [1])
        #expect(second.pulsed == [7])
        #expect(try await boardZero.readStatus().doorOpen == (1...16).map { $0 == 1 })
        #expect(try await boardNine.readStatus().doorOpen == (1...16).map { $0 == 7 })
        await bus.close()
    }

    @Test func pollingDeliversDoorAndItemChanges() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        locks.set(channel: 6, item: true)
        let server = try Self.serve(Self.simulated(2, locks))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 2, polarity: .setMeansOpen, hasItemSensors: true, bus: bus)
        let handler = RecordingHandler()

        await board.pollOnce(delivering: handler)  // the baseline: nothing to report
        #expect(handler.recorded.isEmpty)
        try await board.unlock(channel: 6, pulseMilliseconds: 500)
        _ = try await board.readStatus()  // nothing new: the confirming read already saw the door open
        locks.set(channel: 6, item: false)
        await board.pollOnce(delivering: handler)
        locks.set(channel: 6, open: false)
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)  // no change: nothing
        // The confirming read of the unlock saw the door open: that comes first, then what the
        // poll saw.
        #expect(handler.recorded == [
            .doorChanged(board: 2, channel: 6, isOpen: true),
            .itemChanged(board: 2, channel: 6, isPresent: false),
            .doorChanged(board: 2, channel: 6, isOpen: false),
        ])
        await bus.close()
    }

    @Test func aBadConfigurationIsRefused() throws {
        let bus = SerialBus(SerialPortConfiguration(path: "unused"))
        #expect(throws: HardwareError.self) {
            try KerongCU16LockBoard(address: 10, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        }
        #expect(throws: HardwareError.self) {
            try KerongCU16LockBoard(address: 0, channelCount: 17, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        }
    }
}
