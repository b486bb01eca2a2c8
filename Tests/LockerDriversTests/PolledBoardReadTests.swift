import Foundation
import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing

/// Boards without an event queue (Kerong, 8A/80) report door changes by comparing status reads.
/// Every read counts: a door seen only by a confirming read, or by the daemon's reconciliation
/// read after an outage, must still reach the daemon (issue 14, sequences 1 and 4).
@Suite(.serialized) struct PolledBoardReadTests {
    final class RecordingHandler: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
        var recorded: [HardwareEvent] { events.withLock { $0 } }
        func clear() { events.withLock { $0.removeAll() } }
    }

    static let fast = SerialBus.Timing(replyTimeoutMilliseconds: 120, retries: 1, interFrameGapMilliseconds: 1)

    static func cu16(_ board: Int, _ locks: SimulatedLocks) throws -> ByteBoardServer {
        let simulated = SharedBoard(SimulatedKerongCU16Board(board: board, polarity: .setMeansOpen, hardware: .init(
            readDoors: { (locks.doors, locks.items.withLock { $0 }) }, pulse: { locks.pulse($0) })))
        return try ByteBoardServer([{ bytes in simulated.withBoard { $0.receive(bytes) } }])
    }

    /// Sequence 4: the confirming read after the unlock sees the door open; the courier puts the
    /// parcel in and closes the door before the next poll. The door must still be reported open,
    /// or the door watch calls a working latch failed.
    @Test func aDoorSeenOpenOnlyByTheConfirmingReadIsReportedOpenThenClosed() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let server = try Self.cu16(1, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 1, polarity: .setMeansOpen, hasItemSensors: true, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)  // the baseline

        try await board.unlock(channel: 4, pulseMilliseconds: 500)
        locks.set(channel: 4, item: true)
        locks.set(channel: 4, open: false)
        await board.pollOnce(delivering: handler)
        #expect(handler.recorded == [
            .doorChanged(board: 1, channel: 4, isOpen: true),
            .itemChanged(board: 1, channel: 4, isPresent: true),
            .doorChanged(board: 1, channel: 4, isOpen: false),
        ])
        await bus.close()
    }

    /// Sequence 1: the board goes silent, a door is opened meanwhile, the daemon reads the board
    /// again (reconciliation after its return: the door is recorded open), then the door closes
    /// before the poller's next read. The close must be reported, or the record stays open forever.
    @Test func aDoorReconciledOpenAfterAnOutageIsReportedClosedWhenItCloses() async throws {
        let locks = SimulatedLocks(channelCount: 16)
        let server = try Self.cu16(2, locks)
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: 19_200), timing: Self.fast)
        let board = try KerongCU16LockBoard(address: 2, polarity: .setMeansOpen, hasItemSensors: false, bus: bus)
        let handler = RecordingHandler()
        await board.pollOnce(delivering: handler)  // the baseline: all closed

        server.setSilent(true)
        await board.pollOnce(delivering: handler)
        guard case .boardLost(board: 2, _)? = handler.recorded.first else {
            Issue.record("expected the board lost, got \(handler.recorded)")
            return
        }
        handler.clear()
        locks.set(channel: 3, open: true)
        server.setSilent(false)
        // The daemon's own read on the board's return (housekeeping or `boardBack`).
        #expect(try await board.readStatus().doorOpen[2] == true)
        locks.set(channel: 3, open: false)
        await board.pollOnce(delivering: handler)
        #expect(handler.recorded == [
            .boardBack(board: 2),
            .doorChanged(board: 2, channel: 3, isOpen: true),
            .doorChanged(board: 2, channel: 3, isOpen: false),
        ])
        await bus.close()
    }

    /// Found by the process-level fault test: the board is silent only while lockerd reads it at
    /// start (the daemon marks it offline), and every poll afterwards succeeds. The first poll the
    /// board answers must report it back, or its doors stay offline with nothing to bring them back.
    @Test(arguments: ["Kerong CU16", "own protocol"])
    func aBoardSilentOnlyToTheStartUpReadIsReportedBackByThePoll(family: String) async throws {
        let locks = SimulatedLocks(channelCount: 8)
        let server: ByteBoardServer
        if family == "own protocol" {
            let simulated = SharedBoard(SimulatedOwnBoard(
                address: 3, bootID: 1, protocolVersion: 2,
                hardware: .init(channelCount: 8, readDoors: { (locks.doors, locks.items.withLock { $0 }) },
                                pulse: { locks.pulse($0); return true })))
            server = try ByteBoardServer([{ bytes in simulated.withBoard { $0.receive(bytes) } }])
        } else {
            server = try Self.cu16(3, locks)
        }
        defer { server.stop() }
        let bus = SerialBus(server.port(baud: family == "own protocol" ? 115_200 : 19_200), timing: Self.fast)
        let board: any PolledLockBoard = family == "own protocol"
            ? OwnProtocolLockBoard(address: 3, channelCount: 8, hasItemSensors: true, bus: bus)
            : try KerongCU16LockBoard(address: 3, channelCount: 8, polarity: .setMeansOpen, hasItemSensors: true, bus: bus)
        let handler = RecordingHandler()

        server.setSilent(true)
        await #expect(throws: (any Error).self) { _ = try await board.readStatus() }  // the daemon's start-up read
        server.setSilent(false)
        await board.pollOnce(delivering: handler)
        #expect(handler.recorded.first == .boardBack(board: 3), "\(handler.recorded)")
        await bus.close()
    }
}
