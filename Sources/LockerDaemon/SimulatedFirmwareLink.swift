import Foundation
public import LockerDrivers
import LockerHAL
public import LockerSimulator
public import LockerSystem
import LockerWire
import Synchronization

/// Puts simulated boards of the cabinet behind a pseudo-terminal speaking a real board protocol
/// (our own, Kerong CU16 or CU48, or 8A/80), so the daemon drives them through its real serial driver: the
/// simulated firmware answers from the cabinet's physical state (and, for our own protocol, queues
/// door and item changes as numbered events; the others are polled for status).
public final class SimulatedFirmwareLink: Sendable {
    public let terminal: PseudoTerminal
    private let boards: Mutex<[BoardFirmware]>
    private let running = Atomic<Bool>(true)
    private let finished = Atomic<Bool>(false)
    private let started = ContinuousClock.now
    /// Changes waiting to be queued in their board's firmware. A pulse inside `receive` reports
    /// its door opening from under the boards' lock, so changes are handed over here and queued
    /// by the serving thread before it reads the next request.
    private let pendingChanges = Mutex<[(board: Int, channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptime: UInt32)]>([])

    /// The board families a simulated board can speak behind the pseudo-terminal.
    public enum Family: String, Sendable {
        case ownProtocol
        case kerongCU16
        case kerongCU48
        case eightA
    }

    /// One simulated board's firmware, of any family.
    enum BoardFirmware: Sendable {
        case own(SimulatedOwnBoard)
        case kerongCU16(SimulatedKerongCU16Board)
        case kerongCU48(SimulatedKerongCU48Board)
        case eightA(SimulatedEightABoard)

        var address: Int {
            switch self {
            case .own(let board): Int(board.address)
            case .kerongCU16(let board): board.board
            case .kerongCU48(let board): board.board
            case .eightA(let board): board.address
            }
        }

        mutating func receive(_ bytes: [UInt8]) -> [UInt8] {
            switch self {
            case .own(var board):
                let reply = board.receive(bytes)
                self = .own(board)
                return reply
            case .kerongCU16(var board):
                let reply = board.receive(bytes)
                self = .kerongCU16(board)
                return reply
            case .kerongCU48(var board):
                let reply = board.receive(bytes)
                self = .kerongCU48(board)
                return reply
            case .eightA(var board):
                let reply = board.receive(bytes)
                self = .eightA(board)
                return reply
            }
        }

        mutating func record(channel: UInt8, kind: OwnBoardMessage.Event.Kind, uptimeMilliseconds: UInt32) {
            // Kerong and 8A boards have no event queue: the driver sees changes by polling status.
            if case .own(var board) = self {
                board.record(channel: channel, kind: kind, uptimeMilliseconds: uptimeMilliseconds)
                self = .own(board)
            }
        }
    }

    public init(cabinet: SimulatedCabinet, family: Family = .ownProtocol, boardAddresses: [Int], setBitMeansOpen: Bool = true) throws {
        do {
            terminal = try PseudoTerminal()
        } catch {
            throw HardwareError(error)
        }
        let specs = cabinet.boards.filter { boardAddresses.contains($0.address) }
        boards = Mutex(specs.map { spec in
            let address = spec.address
            let readDoors: @Sendable () -> (doors: [Bool], items: [Bool]) = {
                let status = (try? cabinet.sensorStatus(board: address)) ?? LockBoardStatus(doorOpen: [])
                return (status.doorOpen, status.itemPresent ?? Array(repeating: false, count: status.doorOpen.count))
            }
            let pulse: @Sendable (Int) -> Bool = { channel in (try? cabinet.pulseLatch(board: address, channel: channel)) != nil }
            switch family {
            case .ownProtocol:
                return .own(SimulatedOwnBoard(address: UInt8(address), hardware: .init(
                    channelCount: spec.channelCount, readDoors: readDoors, pulse: pulse)))
            case .kerongCU16:
                return .kerongCU16(SimulatedKerongCU16Board(board: address, polarity: setBitMeansOpen ? .setMeansOpen : .setMeansClosed, hardware: .init(
                    readDoors: readDoors, pulse: { _ = pulse($0) })))
            case .kerongCU48:
                return .kerongCU48(SimulatedKerongCU48Board(board: address, polarity: setBitMeansOpen ? .setMeansOpen : .setMeansClosed, hardware: .init(
                    readDoors: readDoors, pulse: { _ = pulse($0) })))
            case .eightA:
                return .eightA(SimulatedEightABoard(address: address, polarity: setBitMeansOpen ? .setMeansOpen : .setMeansClosed, hardware: .init(
                    channelCount: spec.channelCount, readDoors: { readDoors().doors }, pulse: { _ = pulse($0) })))
            }
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
                for index in boards.indices where boards[index].address == change.board {
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
