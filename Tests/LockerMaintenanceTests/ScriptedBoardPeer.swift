import Foundation
import LockerDrivers
import LockerSimulator
import Synchronization
import LockerSystem

/// A lock board of our own protocol at the far end of a pseudo-terminal, served from a thread of
/// its own: the daemon opens `terminal.subordinatePath` as the board's serial device and drives it
/// with its real driver. Every door stays closed; latch pulses are counted.
final class ScriptedBoardPeer: Sendable {
    let terminal: PseudoTerminal
    private let board: Mutex<SimulatedOwnBoard>
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Bool>(false)
    private let requests = Atomic<Int>(0)

    init(address: UInt8, channels: Int) throws {
        terminal = try PseudoTerminal()
        board = Mutex(SimulatedOwnBoard(address: address, hardware: .init(
            channelCount: channels,
            readDoors: { (Array(repeating: false, count: channels), Array(repeating: false, count: channels)) },
            pulse: { _ in true })))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// How many requests the daemon's driver sent (each poll is one).
    var requestCount: Int { requests.load(ordering: .relaxed) }

    func stop() {
        running.store(false, ordering: .relaxed)
        while !finished.load(ordering: .relaxed) { usleep(1_000) }
    }

    private func serve() {
        defer { finished.store(true, ordering: .relaxed) }
        while running.load(ordering: .relaxed) {
            let bytes = terminal.read(timeoutMilliseconds: 10)
            guard !bytes.isEmpty else { continue }
            let reply = board.withLock { $0.receive(bytes) }
            if !reply.isEmpty {
                requests.add(1, ordering: .relaxed)
                terminal.write(reply)
            }
        }
    }
}
