import LockerDrivers
import LockerHAL
import LockerSimulator
import LockerWire
import Synchronization
import Testing
import LockerSystem

/// Probes on our own lock board, read over a pseudo-terminal with the real driver: each of the
/// board's verdicts becomes the sample the cold chain's fault detector judges.
@Suite struct OwnBoardTemperatureProbeTests {
    @Test func eachProbeStateBecomesItsSample() async throws {
        let readings = Mutex<[OwnBoardMessage.Temperature]>([
            .init(probe: 0, state: .ok, centiCelsius: 412), .init(probe: 1, state: .ok, centiCelsius: -1_875),
            .init(probe: 2, state: .crcError, centiCelsius: 0), .init(probe: 3, state: .disconnected, centiCelsius: 0),
            .init(probe: 4, state: .notReady, centiCelsius: 8_500),
        ])
        let hardware = SimulatedOwnBoard.Hardware(
            channelCount: 4, readDoors: { (Array(repeating: false, count: 4), Array(repeating: false, count: 4)) }, pulse: { _ in true },
            readTemperatures: { readings.withLock { $0 } })
        let server = try PseudoTerminalBoardServer(boards: [SimulatedOwnBoard(address: 2, hardware: hardware)])
        defer { server.stop() }
        let bus = SerialBus(.init(path: server.terminal.subordinatePath, baud: 115_200),
                            timing: SerialBus.Timing(replyTimeoutMilliseconds: 150, retries: 2, interFrameGapMilliseconds: 1))
        let board = OwnProtocolLockBoard(address: 2, channelCount: 4, hasItemSensors: false, bus: bus)
        func probe(_ number: UInt8) -> OwnBoardTemperatureProbe {
            OwnBoardTemperatureProbe(name: "zone", board: 2, probe: number) { try await board.readTemperatures() }
        }
        #expect(await probe(0).read() == .celsius(4.12))
        #expect(await probe(1).read() == .celsius(-18.75))
        #expect(await probe(2).read() == .crcFailure)
        guard case .missing(let disconnected) = await probe(3).read() else { Issue.record("probe 3"); return }
        #expect(disconnected.contains("disconnected"))
        // Not ready: its 85 °C placeholder must never be taken for a reading.
        guard case .missing(let notReady) = await probe(4).read() else { Issue.record("probe 4"); return }
        #expect(notReady.contains("no reading yet"))
        guard case .missing(let absent) = await probe(9).read() else { Issue.record("probe 9"); return }
        #expect(absent.contains("no probe 9"))
        // A board that no longer answers: a missing sample naming the board, not a stale value.
        server.dropReplies(100)
        guard case .missing(let silent) = await probe(0).read() else { Issue.record("a silent board"); return }
        #expect(silent.contains("board 2"))
        await bus.close()
    }
}
