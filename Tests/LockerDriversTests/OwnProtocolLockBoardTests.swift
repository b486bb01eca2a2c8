import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing
import LockerSystem

/// The real serial driver of our own protocol, over a pseudo-terminal, against simulated boards
/// that use the same codec from the board side.
@Suite(.serialized) struct OwnProtocolLockBoardTests {
    final class Doors: Sendable {
        let open = Mutex<[Bool]>(Array(repeating: false, count: 8))
        let pulses = Mutex<[Int]>([])

        var hardware: SimulatedOwnBoard.Hardware {
            .init(channelCount: 8,
                  readDoors: { (self.open.withLock { $0 }, Array(repeating: false, count: 8)) },
                  pulse: { channel in
                      self.pulses.withLock { $0.append(channel) }
                      self.open.withLock { $0[channel - 1] = true }
                      return true
                  })
        }
    }

    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 150, retries: 2, interFrameGapMilliseconds: 1)

    @Test func unlockAndStatusOverAPseudoTerminal() async throws {
        let doors = Doors()
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 3, hardware: doors.hardware)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 3, channelCount: 8, hasItemSensors: true, bus: bus)
        try await board.unlock(channel: 5, pulseMilliseconds: 500)
        #expect(doors.pulses.withLock { $0 } == [5])
        let status = try await board.readStatus()
        #expect(status.doorOpen == [false, false, false, false, true, false, false, false])
        #expect(status.itemPresent?.count == 8)
        await bus.close()
    }

    @Test func aLostReplyIsRetriedWithoutASecondPulse() async throws {
        let doors = Doors()
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 3, hardware: doors.hardware)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 3, channelCount: 8, hasItemSensors: false, bus: bus)
        server.dropReplies(1)
        try await board.unlock(channel: 2, pulseMilliseconds: 500)
        #expect(doors.pulses.withLock { $0 } == [2], "the retry reused the sequence number: executed once")
        #expect(server.withBoard(0) { $0.executedCommands } == [0x03])
        await bus.close()
    }

    @Test func twoBoardsShareOneBus() async throws {
        let first = Doors(), second = Doors()
        let server = try PseudoTerminalBoardServer(boards: [
            SimulatedOwnBoard(address: 1, hardware: first.hardware), SimulatedOwnBoard(address: 2, hardware: second.hardware),
        ])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let boardOne = OwnProtocolLockBoard(address: 1, channelCount: 8, hasItemSensors: false, bus: bus)
        let boardTwo = OwnProtocolLockBoard(address: 2, channelCount: 8, hasItemSensors: false, bus: bus)
        async let a: Void = boardOne.unlock(channel: 1, pulseMilliseconds: 300)
        async let b: Void = boardTwo.unlock(channel: 7, pulseMilliseconds: 300)
        _ = try await (a, b)
        #expect(first.pulses.withLock { $0 } == [1])
        #expect(second.pulses.withLock { $0 } == [7])
        await bus.close()
    }

    @Test func aBoardThatDoesNotAnswerIsReportedAndItsReturnToo() async throws {
        let doors = Doors()
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 3, hardware: doors.hardware)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200),
                            timing: .init(replyTimeoutMilliseconds: 60, retries: 1, interFrameGapMilliseconds: 1))
        let missing = OwnProtocolLockBoard(address: 9, channelCount: 8, hasItemSensors: false, bus: bus)
        await #expect(throws: HardwareError.self) { try await missing.unlock(channel: 1, pulseMilliseconds: 300) }

        let board = OwnProtocolLockBoard(address: 3, channelCount: 8, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()
        server.dropReplies(2)  // both attempts of one poll are lost
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)
        let events = handler.events.withLock { $0 }
        guard events.count == 2, case .boardLost(board: 3, _) = events[0], events[1] == .boardBack(board: 3) else {
            Issue.record("expected lost then back, got \(events)")
            return
        }
        await bus.close()
    }

    @Test func doorChangesBetweenPollsAreDeliveredInOrder() async throws {
        let doors = Doors()
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 4, hardware: doors.hardware)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 4, channelCount: 8, hasItemSensors: true, bus: bus)
        server.withBoard(0) {
            $0.record(channel: 6, kind: .doorOpened, uptimeMilliseconds: 10)
            $0.record(channel: 6, kind: .itemRemoved, uptimeMilliseconds: 20)
            $0.record(channel: 6, kind: .doorClosed, uptimeMilliseconds: 30)
        }
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)  // acknowledged: nothing delivered twice
        #expect(handler.events.withLock { $0 } == [
            .doorChanged(board: 4, channel: 6, isOpen: true),
            .itemChanged(board: 4, channel: 6, isPresent: false),
            .doorChanged(board: 4, channel: 6, isOpen: false),
        ])
        await bus.close()
    }

    @Test func anAdapterThatVanishesAndReappearsIsReopened() async throws {
        let doors = Doors()
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-bus-\(UUID().uuidString)").path
        defer { unlink(link) }
        var server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 3, hardware: doors.hardware)])
        symlink(server.terminal.subordinatePath, link)
        let bus = SerialBus(.init(path: link, baud: 115_200), timing: .init(replyTimeoutMilliseconds: 80, retries: 1, interFrameGapMilliseconds: 1))
        let board = OwnProtocolLockBoard(address: 3, channelCount: 8, hasItemSensors: false, bus: bus)
        try await board.unlock(channel: 1, pulseMilliseconds: 300)

        server.stop()
        server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 3, bootID: 2, hardware: doors.hardware)])
        defer { server.stop() }
        // Unplugged: the old line is gone (its other side closed), the link points nowhere yet.
        unlink(link)
        await #expect(throws: HardwareError.self) { try await board.unlock(channel: 2, pulseMilliseconds: 300) }
        // Plugged back in (a udev symlink would point to the new device).
        symlink(server.terminal.subordinatePath, link)
        try await board.unlock(channel: 3, pulseMilliseconds: 300)
        #expect(doors.pulses.withLock { $0 } == [1, 3])
        await bus.close()
    }
}
