import Foundation
public import LockerDrivers
import LockerHAL
public import LockerSimulator
import LockerWire
import Synchronization

/// Puts simulated boards of the cabinet behind a pseudo-terminal speaking our own board protocol,
/// so the daemon drives them through its real serial driver: the simulated firmware answers from
/// the cabinet's physical state and queues its door and item changes as numbered events.
public final class SimulatedFirmwareLink: Sendable {
    public let terminal: PseudoTerminal
    private let boards: Mutex<[SimulatedOwnBoard]>
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Bool>(false)
    private let started = ContinuousClock.now
    /// Changes waiting to be queued in their board's firmware. A pulse inside `receive` reports
    /// its door opening from under the boards' lock, so changes are handed over here and queued
    /// by the serving thread before it reads the next request.
    private let pendingChanges = Mutex<[(board: Int, channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptime: UInt32)]>([])

    public init(cabinet: SimulatedCabinet, boardAddresses: [Int]) throws {
        terminal = try PseudoTerminal()
        let specs = cabinet.boards.filter { boardAddresses.contains($0.address) }
        boards = Mutex(specs.map { spec in
            SimulatedOwnBoard(address: UInt8(spec.address), hardware: .init(
                channelCount: spec.channelCount,
                readDoors: {
                    let status = (try? cabinet.sensorStatus(board: spec.address)) ?? LockBoardStatus(doorOpen: [])
                    return (status.doorOpen, status.itemPresent ?? Array(repeating: false, count: status.doorOpen.count))
                },
                pulse: { channel in (try? cabinet.pulseLatch(board: spec.address, channel: channel)) != nil }))
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
                for index in boards.indices where Int(boards[index].address) == change.board {
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
            // Every board hears every byte (one RS-485 bus); only the addressed one answers.
            let replies = boards.withLock { boards in boards.indices.map { boards[$0].receive(bytes) } }
            for reply in replies where !reply.isEmpty { terminal.write(reply) }
        }
    }
}
