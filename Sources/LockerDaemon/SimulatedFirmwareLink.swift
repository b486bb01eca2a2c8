import Foundation
public import LockerDrivers
import LockerHAL
public import LockerSimulator
public import LockerSystem
import LockerWire
import Synchronization

/// Puts simulated boards of the cabinet behind a pseudo-terminal speaking a real board protocol
/// (the firmware of their `BoardFamily`), so the daemon drives them through its real serial
/// driver: the simulated firmware answers from the cabinet's physical state (and, for our own
/// protocol, queues door and item changes as numbered events; the others are polled for status).
public final class SimulatedFirmwareLink: Sendable {
    public let terminal: PseudoTerminal
    private let boards: Mutex<[any SimulatedBoardFirmware]>
    private let cabinet: SimulatedCabinet
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Bool>(false)
    private let started = ContinuousClock.now
    /// Changes waiting to be queued in their board's firmware. A pulse inside `receive` reports
    /// its door opening from under the boards' lock, so changes are handed over here and queued
    /// by the serving thread before it reads the next request.
    private let pendingChanges = Mutex<[(board: Int, channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptime: UInt32)]>([])

    /// - Parameters:
    ///   - boardAddresses: the cabinet's boards behind this pseudo-terminal (one bus).
    ///   - setBitMeansOpen: the polarity the simulated boards report with (families with one).
    ///   - makeFirmware: the family's simulated firmware for one board (see `BoardFamily`).
    public init(cabinet: SimulatedCabinet, boardAddresses: [Int], setBitMeansOpen: Bool = true,
                makeFirmware: (SimulatedBoardWiring) -> any SimulatedBoardFirmware) throws {
        do {
            terminal = try PseudoTerminal()
        } catch {
            throw HardwareError(error)
        }
        self.cabinet = cabinet
        let specs = cabinet.boards.filter { boardAddresses.contains($0.address) }
        boards = Mutex(specs.compactMap { spec in
            SimulatedBoardWiring(cabinet: cabinet, address: spec.address, setBitMeansOpen: setBitMeansOpen).map(makeFirmware)
        })
        for spec in specs {
            cabinet.wire(board: spec.address) { [weak self] event in self?.record(event) }
        }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    public func stop() {
        running.store(false, ordering: .relaxed)
        while !finished.load(ordering: .relaxed) { usleep(1_000) }
    }

    private func record(_ event: HardwareEvent) {
        let uptime = UInt32(truncatingIfNeeded: Int64((ContinuousClock.now - started) / .milliseconds(1)))
        let (board, channel, kind): (Int, Int, OwnBoardMessage.Event.Kind)
        switch event {
        case .doorChanged(let b, let c, let open): (board, channel, kind) = (b, c, open ? .doorOpened : .doorClosed)
        case .itemChanged(let b, let c, let present): (board, channel, kind) = (b, c, present ? .itemPresent : .itemRemoved)
        default: return
        }
        pendingChanges.withLock { $0.append((board, UInt8(channel), kind, uptime)) }
    }

    private func queuePendingChanges() {
        let changes = pendingChanges.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !changes.isEmpty else { return }
        boards.withLock { boards in
            for change in changes {
                for index in boards.indices where boards[index].busAddress == change.board {
                    boards[index].record(channel: change.channel, kind: change.kind, uptimeMilliseconds: change.uptime)
                }
            }
        }
    }

    private func serve() {
        defer { finished.store(true, ordering: .relaxed) }
        while running.load(ordering: .relaxed) {
            let bytes = terminal.read(timeoutMilliseconds: 20)
            queuePendingChanges()
            guard !bytes.isEmpty else { continue }
            // Every board hears every byte (one RS-485 bus); only the addressed one answers. A board
            // that is down hears nothing and answers nothing: it must not answer "all closed" from
            // a sensor read it cannot make.
            let replies = boards.withLock { boards in
                boards.indices.filter { !cabinet.isBoardDown(boards[$0].busAddress) }.map { boards[$0].receive(bytes) }
            }
            for reply in replies where !reply.isEmpty { terminal.write(reply) }
        }
    }
}
