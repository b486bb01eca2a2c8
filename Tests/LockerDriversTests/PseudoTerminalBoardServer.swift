import Foundation
import LockerDrivers
import LockerSimulator
import Synchronization
import LockerSystem

/// Simulated boards of our own protocol on the controller side of a pseudo-terminal, served from a
/// thread of their own: every board hears every byte (as on RS-485) and only the addressed one
/// answers. `dropReplies` loses answers on the way back, as a noisy bus would.
final class PseudoTerminalBoardServer: Sendable {
    let terminal: PseudoTerminal
    private let boards: Mutex<[SimulatedOwnBoard]>
    private let running = Atomic<Bool>(true)
    private let repliesToDrop = Atomic<Int>(0)
    private let finished = Mutex<Bool>(false)

    init(boards: [SimulatedOwnBoard]) throws {
        terminal = try PseudoTerminal()
        self.boards = Mutex(boards)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        while !finished.withLock({ $0 }) { usleep(1_000) }
    }

    func dropReplies(_ count: Int) { repliesToDrop.store(count, ordering: .relaxed) }

    func withBoard<T>(_ index: Int, _ body: (inout SimulatedOwnBoard) -> T) -> T {
        boards.withLock { body(&$0[index]) }
    }

    private func serve() {
        defer { finished.withLock { $0 = true } }
        while running.load(ordering: .relaxed) {
            let bytes = terminal.read(timeoutMilliseconds: 10)
            guard !bytes.isEmpty else { continue }
            let replies = boards.withLock { boards in
                boards.indices.map { boards[$0].receive(bytes) }
            }
            for reply in replies where !reply.isEmpty {
                if repliesToDrop.load(ordering: .relaxed) > 0 {
                    repliesToDrop.subtract(1, ordering: .relaxed)
                    continue
                }
                terminal.write(reply)
            }
        }
    }
}
