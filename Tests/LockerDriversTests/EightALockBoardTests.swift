import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// The generic 8A/80 board driver over a pseudo-terminal, against simulated boards that use the
/// same codec from the board side.
@Suite(.serialized) struct EightALockBoardTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 120, retries: 1, interFrameGapMilliseconds: 1)

    static func simulated(_ address: Int, _ locks: SimulatedLocks, channelCount: Int = 24,
                          polarity: EightAFeedbackPolarity = .setMeansOpen) -> SharedBoard<SimulatedEightABoard> {
        SharedBoard(SimulatedEightABoard(address: address, polarity: polarity, hardware: .init(
            channelCount: channelCount, readDoors: { locks.doors }, pulse: { locks.pulse($0) })))
    }

    static func serve(_ boards: SharedBoard<SimulatedEightABoard>...) throws -> ByteBoardServer {
        try ByteBoardServer(boards.map { board in { bytes in board.withBoard { $0.receive(bytes) } } })
    }

    @Test func unlockWaitsForTheOpenReplyAndTheDoorReadsOpen() async throws {
        let locks = SimulatedLocks(channelCount: 24)
        let simulated = Self.simulated(1, locks)
        let server = try Self.serve(simulated)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: EightALockBoard.defaultBaud), timing: Self.fast)
        let board = try EightALockBoard(address: 1, channelCount: 24, polarity: .setMeansOpen, bus: bus)

        try await board.unlock(channel: 24, pulseMilliseconds: 300)
        #expect(locks.pulsed == [24])
        #expect(await board.lastUnlockReportedOpen == true)
        let status = try await board.readStatus()
        #expect(status.doorOpen == (1...24).map { $0 == 24 })
        #expect(status.itemPresent == nil)
        #expect(simulated.withBoard { $0.executed } == [.open(board: 1, channel: 24), .readAll(board: 1)],
                "status is read with read all, never read one")
        await bus.close()
    }

    @Test func aLatchThatReportsClosedIsNotAnError() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        locks.jammed.store(true, ordering: .relaxed)
        let server = try Self.serve(Self.simulated(4, locks, channelCount: 8))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 4, channelCount: 8, polarity: .setMeansOpen, bus: bus)

        try await board.unlock(channel: 3, pulseMilliseconds: 300)
        #expect(await board.lastUnlockReportedOpen == false)
        #expect(try await board.readStatus().doorOpen == Array(repeating: false, count: 8))
        await #expect(throws: HardwareError.channelOutOfRange(board: 4, channel: 9, channelCount: 8)) {
            try await board.unlock(channel: 9, pulseMilliseconds: 300)
        }
        await bus.close()
    }

    @Test func thePolarityOptionInvertsTheFeedback() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        locks.set(channel: 2, open: true)
        // Locks whose feedback switch reports "set" while closed.
        let server = try Self.serve(Self.simulated(7, locks, channelCount: 16, polarity: .setMeansClosed))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let matching = try EightALockBoard(address: 7, channelCount: 16, polarity: .setMeansClosed, bus: bus)
        let inverted = try EightALockBoard(address: 7, channelCount: 16, polarity: .setMeansOpen, bus: bus)

        #expect(try await matching.readStatus().doorOpen == (1...16).map { $0 == 2 })
        #expect(try await inverted.readStatus().doorOpen == (1...16).map { $0 != 2 })
        try await matching.unlock(channel: 10, pulseMilliseconds: 300)
        #expect(await matching.lastUnlockReportedOpen == true)
        try await inverted.unlock(channel: 11, pulseMilliseconds: 300)
        #expect(await inverted.lastUnlockReportedOpen == false)
        #expect(try await matching.readStatus().doorOpen == (1...16).map { [2, 10, 11].contains($0) })
        await bus.close()
    }

    @Test func aBoardThatDoesNotAnswerIsReportedAndItsReturnToo() async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server = try Self.serve(Self.simulated(5, locks, channelCount: 8))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 5, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        let missing = try EightALockBoard(address: 6, channelCount: 8, polarity: .setMeansOpen, bus: bus)
        await #expect {
            try await missing.unlock(channel: 1, pulseMilliseconds: 300)
        } throws: { error in
            guard case HardwareError.boardNotAnswering(board: 6, _) = error else { return false }
            return true
        }

        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)
        server.setSilent(true)
        await #expect {
            try await board.readStatus()
        } throws: { error in
            guard case HardwareError.boardNotAnswering(board: 5, _) = error else { return false }
            return true
        }
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)  // still lost: reported once
        locks.set(channel: 8, open: true)
        server.setSilent(false)
        await board.pollOnce(delivering: handler)
        let events = handler.recorded
        guard events.count == 3, case .boardLost(board: 5, _) = events[0], events[1] == .boardBack(board: 5),
              events[2] == .doorChanged(board: 5, channel: 8, isOpen: true) else {
            Issue.record("expected lost, back, door 8 open; got \(events)")
            return
        }
        await bus.close()
    }

    @Test func twoBoardsShareOneBus() async throws {
        let first = SimulatedLocks(channelCount: 24), second = SimulatedLocks(channelCount: 8)
        let server = try Self.serve(Self.simulated(1, first), Self.simulated(31, second, channelCount: 8))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let boardOne = try EightALockBoard(address: 1, channelCount: 24, polarity: .setMeansOpen, bus: bus)
        let boardLast = try EightALockBoard(address: 31, channelCount: 8, polarity: .setMeansOpen, bus: bus)

        async let a: Void = boardOne.unlock(channel: 17, pulseMilliseconds: 300)
        async let b: Void = boardLast.unlock(channel: 8, pulseMilliseconds: 300)
        _ = try await (a, b)
        #expect(first.pulsed == [17])
        #expect(second.pulsed == [8])
        #expect(try await boardOne.readStatus().doorOpen == (1...24).map { $0 == 17 })
        #expect(try await boardLast.readStatus().doorOpen == (1...8).map { $0 == 8 })
        await bus.close()
    }

    @Test func pollingDeliversDoorChanges() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let server = try Self.serve(Self.simulated(3, locks, channelCount: 16))
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 9_600), timing: Self.fast)
        let board = try EightALockBoard(address: 3, channelCount: 16, polarity: .setMeansOpen, bus: bus)
        let handler = RecordingHandler()

        await board.pollOnce(delivering: handler)  // the baseline: nothing to report
        try await board.unlock(channel: 12, pulseMilliseconds: 300)
        locks.set(channel: 1, open: true)
        await board.pollOnce(delivering: handler)
        locks.set(channel: 12, open: false)
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)  // no change: nothing
        #expect(handler.recorded == [
            .doorChanged(board: 3, channel: 1, isOpen: true),
            .doorChanged(board: 3, channel: 12, isOpen: true),
            .doorChanged(board: 3, channel: 12, isOpen: false),
        ])
        await bus.close()
    }

    @Test func aBadConfigurationIsRefused() throws {
        let bus = SerialBus(SerialPortConfiguration(path: "unused"))
        #expect(throws: HardwareError.self) { try EightALockBoard(address: 0, channelCount: 8, polarity: .setMeansOpen, bus: bus) }
        #expect(throws: HardwareError.self) { try EightALockBoard(address: 32, channelCount: 8, polarity: .setMeansOpen, bus: bus) }
        #expect(throws: HardwareError.self) { try EightALockBoard(address: 1, channelCount: 25, polarity: .setMeansOpen, bus: bus) }
    }
}
