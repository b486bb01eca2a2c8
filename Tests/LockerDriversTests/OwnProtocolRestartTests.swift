import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// A board of our own protocol that restarts is noticed (issue 14, sequence 5), and the events
/// of its new boot are never swallowed by an acknowledgement from the old one (sequence 6).
@Suite(.serialized) struct OwnProtocolRestartTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
        func clear() { events.withLock { $0.removeAll() } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 150, retries: 1, interFrameGapMilliseconds: 1)

    static func board(version: UInt8) -> SimulatedOwnBoard {
        SimulatedOwnBoard(address: 4, bootID: 0x0100, protocolVersion: version, hardware: .init(
            channelCount: 8, readDoors: { (Array(repeating: false, count: 8), Array(repeating: false, count: 8)) },
            pulse: { _ in true }))
    }

    static func isRestart(_ event: HardwareEvent) -> Bool {
        if case .boardLost(board: 4, let detail) = event { detail.contains("restarted") } else { false }
    }

    @Test func version2TheNewBootsFirstEventIsNotSwallowedAndTheRestartIsReported() async throws {
        let server = try PseudoTerminalBoardServer(boards: [Self.board(version: 2)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 4, channelCount: 8, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()

        server.withBoard(0) { $0.record(channel: 1, kind: .doorOpened, uptimeMilliseconds: 10) }
        await board.pollOnce(delivering: handler)
        #expect(await board.protocolVersion == 2)
        #expect(handler.recorded == [.doorChanged(board: 4, channel: 1, isOpen: true)])
        handler.clear()

        // The board restarts before it heard "acknowledged up to 1"; its new event 1 must arrive.
        server.withBoard(0) { board in
            board.reboot(bootID: 0x0200)
            board.record(channel: 3, kind: .doorOpened, uptimeMilliseconds: 5)
        }
        await board.pollOnce(delivering: handler)
        await board.pollOnce(delivering: handler)
        let events = handler.recorded
        #expect(events.count == 3, "\(events)")
        #expect(events.first.map(Self.isRestart) == true, "\(events)")
        #expect(events.dropFirst().first == .boardBack(board: 4))
        #expect(events.last == .doorChanged(board: 4, channel: 3, isOpen: true))
        await bus.close()
    }

    @Test func version1ARestartIsNoticedByTheBootIdOfTheStatus() async throws {
        let server = try PseudoTerminalBoardServer(boards: [Self.board(version: 1)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200), timing: Self.fast)
        let board = OwnProtocolLockBoard(address: 4, channelCount: 8, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)
        #expect(await board.protocolVersion == 1)
        #expect(server.withBoard(0) { $0.garbage }.isEmpty, "a version 1 board is sent version 1 packets only")

        server.withBoard(0) { $0.reboot(bootID: 0x0300) }
        for _ in 0..<board.statusCheckPolls { await board.pollOnce(delivering: handler) }
        let events = handler.recorded
        #expect(events.count == 2, "\(events)")
        #expect(events.first.map(Self.isRestart) == true, "\(events)")
        #expect(events.last == .boardBack(board: 4))
        await bus.close()
    }
}
