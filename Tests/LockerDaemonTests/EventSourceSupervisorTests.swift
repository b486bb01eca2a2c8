import LockerDaemon
import LockerHAL
import Synchronization
import Testing

/// A driver loop that fails is reported as its board lost, with the reason, and run again.
@Suite struct EventSourceSupervisorTests {
    final class FailingBoard: LockBoard, HardwareEventSource {
        let runs = Atomic<Int>(0)
        var address: Int { 4 }
        var channelCount: Int { 3 }
        var hasItemSensors: Bool { false }
        func unlock(channel: Int, pulseMilliseconds: Int) async throws {}
        func readStatus() async throws -> LockBoardStatus { LockBoardStatus(doorOpen: [false, false, false]) }
        func releaseAll() async {}
        func run(delivering handler: any HardwareEventHandler) async throws {
            runs.add(1, ordering: .relaxed)
            throw HardwareError.io(device: "gpiochip0", operation: "wait for edges", detail: "Input/output error")
        }
    }

    final class Recorder: HardwareEventHandler {
        let events = Mutex<[HardwareEvent]>([])
        func handle(_ event: HardwareEvent) async { events.withLock { $0.append(event) } }
    }

    @Test func aFailingLoopIsReportedAndRestarted() async throws {
        let board = FailingBoard()
        let recorder = Recorder()
        let supervisor = Task { await EventSourceSupervisor.run(board, delivering: recorder, restartAfter: .milliseconds(1)) }
        while recorder.events.withLock({ $0.count }) < 2 { await Task.yield() }
        supervisor.cancel()
        await supervisor.value
        let events = recorder.events.withLock { $0 }
        guard case .boardLost(board: 4, let detail) = events.first else {
            Issue.record("expected board 4 lost, got \(events)")
            return
        }
        #expect(detail.contains("Input/output error"))
        #expect(board.runs.load(ordering: .relaxed) >= 2, "restarted after the pause")
    }
}
