import Foundation
import LockerDrivers
import Synchronization
import LockerSystem

/// Simulated boards of any family on the controller side of a pseudo-terminal, served from a
/// thread of their own: every responder hears every byte the driver writes (as on RS-485) and
/// returns what its board transmits (empty when it does not answer). `silent` loses every answer,
/// as a board that is switched off or disconnected would.
final class ByteBoardServer: Sendable {
    typealias Responder = @Sendable ([UInt8]) -> [UInt8]

    /// The pseudo-terminal now plugged in; nil while the adapter is unplugged.
    private let plugged: Mutex<PseudoTerminal?>
    /// A stable name for the adapter, as udev's /dev/locker/... link is: it points at the plugged
    /// pseudo-terminal and is gone while the adapter is unplugged.
    let adapterPath: String
    private let directory: String
    private let responders: [Responder]
    private let running = Atomic<Bool>(true)
    private let muted = Atomic<Bool>(false)
    private let requestsToLose = Atomic<Int>(0)
    private let repliesToLose = Atomic<Int>(0)
    private let finished = Mutex<Bool>(false)

    init(_ responders: [Responder]) throws {
        let terminal = try PseudoTerminal()
        plugged = Mutex(terminal)
        directory = NSTemporaryDirectory() + "byte-board-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        adapterPath = directory + "/adapter"
        try FileManager.default.createSymbolicLink(atPath: adapterPath, withDestinationPath: terminal.subordinatePath)
        self.responders = responders
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// The plugged pseudo-terminal (tests that never unplug use its path directly).
    var terminal: PseudoTerminal { plugged.withLock { $0! } }

    /// A configuration for the driver's side of the line, through the adapter's stable name.
    func port(baud: Int) -> SerialPortConfiguration {
        SerialPortConfiguration(path: adapterPath, baud: baud)
    }

    func setSilent(_ silent: Bool) { muted.store(silent, ordering: .relaxed) }

    /// The USB adapter is pulled out: its pseudo-terminal closes (the driver's open descriptor
    /// reads a hang-up or EIO, as a vanished ttyUSB does) and its name disappears.
    func unplug() {
        try? FileManager.default.removeItem(atPath: adapterPath)
        plugged.withLock { $0 = nil }
    }

    /// The adapter is plugged in again: a new pseudo-terminal (a new ttyUSB number) under the
    /// same name.
    func replug() throws {
        let terminal = try PseudoTerminal()
        try FileManager.default.createSymbolicLink(atPath: adapterPath, withDestinationPath: terminal.subordinatePath)
        plugged.withLock { $0 = terminal }
    }

    /// The next `count` writes from the driver never reach the boards (noise on the way there).
    func loseRequests(_ count: Int) { requestsToLose.store(count, ordering: .relaxed) }

    /// The next `count` answers never reach the driver (executed by the board, lost on the way back).
    func loseReplies(_ count: Int) { repliesToLose.store(count, ordering: .relaxed) }

    /// Puts bytes on the line as if a board had sent them (a stale frame, noise), and waits a
    /// moment so that they are in the driver's receive buffer before its next request.
    func inject(_ bytes: [UInt8]) {
        plugged.withLock { $0 }?.write(bytes)
        usleep(30_000)
    }

    func stop() {
        running.store(false, ordering: .relaxed)
        while !finished.withLock({ $0 }) { usleep(1_000) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func serve() {
        defer { finished.withLock { $0 = true } }
        while running.load(ordering: .relaxed) {
            guard let terminal = plugged.withLock({ $0 }) else {
                usleep(5_000)
                continue
            }
            let bytes = terminal.read(timeoutMilliseconds: 10)
            guard !bytes.isEmpty else { continue }
            if requestsToLose.load(ordering: .relaxed) > 0 {
                requestsToLose.subtract(1, ordering: .relaxed)
                continue
            }
            for responder in responders {
                let reply = responder(bytes)
                guard !reply.isEmpty, !muted.load(ordering: .relaxed) else { continue }
                if repliesToLose.load(ordering: .relaxed) > 0 {
                    repliesToLose.subtract(1, ordering: .relaxed)
                    continue
                }
                terminal.write(reply)
            }
        }
    }
}

/// A simulated board (a mutating value) shared between the server thread and the test.
final class SharedBoard<Board: Sendable>: Sendable {
    private let board: Mutex<Board>

    init(_ board: Board) { self.board = Mutex(board) }

    func withBoard<T: Sendable>(_ body: (inout Board) -> T) -> T {
        board.withLock { body(&$0) }
    }
}

/// Door and item states of one simulated board, and the pulses it received. A pulse opens the
/// door unless `jammed`.
final class SimulatedLocks: Sendable {
    let open: Mutex<[Bool]>
    let items: Mutex<[Bool]>
    let pulses = Mutex<[Int]>([])
    let jammed = Atomic<Bool>(false)

    init(channelCount: Int) {
        open = Mutex(Array(repeating: false, count: channelCount))
        items = Mutex(Array(repeating: false, count: channelCount))
    }

    var doors: [Bool] { open.withLock { $0 } }
    var pulsed: [Int] { pulses.withLock { $0 } }

    func pulse(_ channel: Int) {
        pulses.withLock { $0.append(channel) }
        if !jammed.load(ordering: .relaxed) { open.withLock { $0[channel - 1] = true } }
    }

    func set(channel: Int, open isOpen: Bool) { open.withLock { $0[channel - 1] = isOpen } }
    func set(channel: Int, item isPresent: Bool) { items.withLock { $0[channel - 1] = isPresent } }
}
