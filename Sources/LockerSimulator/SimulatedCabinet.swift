public import Foundation
public import LockerHAL
import LockerInput
import Synchronization

/// A behavioural simulation of the cabinet's physical world: doors on spring-loaded latches, door
/// and item sensors, lock boards that can stop answering, latches that can jam, and the keypad and
/// scanner people use.
///
/// The physical state is saved to a file after every change (when a path is given), because the
/// doors of a real cabinet stay where they are when the controller loses power: a restarted daemon
/// must find them as they were and reconcile. Saving uses write-then-rename, so a killed process
/// leaves either the old or the new state, never a torn file.
public final class SimulatedCabinet: Sendable {
    public struct BoardSpec: Sendable, Codable, Equatable {
        public var address: Int
        public var channelCount: Int
        public var hasItemSensors: Bool

        public init(address: Int, channelCount: Int, hasItemSensors: Bool) {
            self.address = address
            self.channelCount = channelCount
            self.hasItemSensors = hasItemSensors
        }
    }

    /// What a person's action did, in words the front panel prints.
    public enum PersonError: Error, Sendable, Equatable, CustomStringConvertible {
        case noSuchDoor(board: Int, channel: Int)
        case doorLocked(board: Int, channel: Int)
        case doorClosed(board: Int, channel: Int)
        case doorAlreadyOpen(board: Int, channel: Int)
        case noItemSensor(board: Int)

        public var description: String {
            switch self {
            case .noSuchDoor(let b, let c): return "there is no door on board \(b) channel \(c)"
            case .doorLocked: return "the door is locked: it opens only when the cabinet releases it (or use force)"
            case .doorClosed: return "the door is closed: open it first"
            case .doorAlreadyOpen: return "the door is already open"
            case .noItemSensor: return "this door has no item sensor; the cabinet cannot see what is inside"
            }
        }
    }

    struct Physical: Codable, Equatable {
        var doorOpen: [Int: [Bool]]
        var itemPresent: [Int: [Bool]]
        var jammed: Set<String>
        var boardsDown: Set<Int>
    }

    public let boards: [BoardSpec]
    public let events: SimulatedEventQueue
    public let display: SimulatedDisplay
    public let buzzer: SimulatedBuzzer
    public let lights: SimulatedIndicatorLights
    private let physical: Mutex<Physical>
    private let inputDevices = Mutex<(keypad: SimulatedInputDevice?, scanner: SimulatedInputDevice?)>((nil, nil))
    private let stateFile: URL?
    /// Boards whose sensor changes go to a simulated firmware (which the daemon polls through a
    /// real driver) instead of straight to the daemon.
    private let firmwareSinks = Mutex<[Int: @Sendable (HardwareEvent) -> Void]>([:])
    private let unlockLog = Mutex(RecentLog<BoardChannel>())
    private let releaseLog = Mutex(RecentLog<Int>())
    /// Latches whose coil is open or shorted ("board:channel"): the board refuses their pulse
    /// with a latch fault, as our own boards report one. Not saved: a repair ends with a restart.
    private let faultyLatches = Mutex<Set<String>>([])

    public init(boards: [BoardSpec], stateFile: URL? = nil, output: @escaping @Sendable (String) -> Void = { _ in }) {
        self.boards = boards
        self.stateFile = stateFile
        self.events = SimulatedEventQueue()
        self.display = SimulatedDisplay(output: output)
        self.buzzer = SimulatedBuzzer(output: output)
        self.lights = SimulatedIndicatorLights(output: output)
        var initial = Physical(doorOpen: [:], itemPresent: [:], jammed: [], boardsDown: [])
        for board in boards {
            initial.doorOpen[board.address] = Array(repeating: false, count: max(0, board.channelCount))
            initial.itemPresent[board.address] = Array(repeating: false, count: max(0, board.channelCount))
        }
        if let stateFile, let data = try? Data(contentsOf: stateFile),
           let saved = try? JSONDecoder().decode(Physical.self, from: data) {
            // Keep only what still matches the configured boards.
            for board in boards {
                if let doors = saved.doorOpen[board.address], doors.count == board.channelCount {
                    initial.doorOpen[board.address] = doors
                }
                if let items = saved.itemPresent[board.address], items.count == board.channelCount {
                    initial.itemPresent[board.address] = items
                }
            }
            initial.jammed = saved.jammed
            initial.boardsDown = saved.boardsDown
        }
        self.physical = Mutex(initial)
    }

    public func board(_ address: Int) -> SimulatedLockBoard? {
        guard let spec = boards.first(where: { $0.address == address }) else { return nil }
        return SimulatedLockBoard(spec: spec, cabinet: self)
    }

    /// Routes a board's door and item changes to `sink` (its simulated firmware) from now on.
    public func wire(board: Int, to sink: @escaping @Sendable (HardwareEvent) -> Void) {
        firmwareSinks.withLock { $0[board] = sink }
    }

    /// Delivers a sensor change: to the board's firmware if it has one, else to the daemon
    /// (waiting for it to be handled when `wait` is set).
    private func report(_ event: HardwareEvent, board: Int, wait: Bool) async {
        // A board that is down reports nothing: the change is seen only when it is read again.
        if physical.withLock({ $0.boardsDown.contains(board) }) { return }
        if let sink = firmwareSinks.withLock({ $0[board] }) {
            sink(event)
        } else if wait {
            await events.deliver(event)
        } else {
            events.post(event)
        }
    }

    // MARK: - What people do

    /// The HID keypad and scanner stand-ins the daemon reads with its real evdev readers; until
    /// they are attached (tests of the controller alone), presses and scans go straight in.
    public func attach(keypad: SimulatedInputDevice?, scanner: SimulatedInputDevice?) {
        inputDevices.withLock { $0 = (keypad, scanner) }
    }

    public func press(_ key: HardwareKey) async {
        guard let keypad = inputDevices.withLock({ $0.keypad }) else {
            await events.deliver(.key(key))
            return
        }
        let code = Self.keypadCode(for: key)
        await keypad.type([InputEvent(type: InputEvent.keyType, code: code, value: 1), InputEvent(type: InputEvent.syncType, code: 0, value: 0),
                           InputEvent(type: InputEvent.keyType, code: code, value: 0), InputEvent(type: InputEvent.syncType, code: 0, value: 0)],
                          outcomes: 1)
    }

    /// Whether the simulated scanner (a HID scanner set to a US layout) can type `code`.
    public static func canScan(_ code: String) -> Bool {
        KeyboardLayout.us.keystrokes(typing: code) != nil
    }

    /// A code the scanner cannot type (see `canScan`) is dropped, as a real scanner would not
    /// read it either.
    public func scan(_ code: String, scanner: String = "sim-scanner") async {
        guard let device = inputDevices.withLock({ $0.scanner }) else {
            await events.deliver(.scan(code, scanner: scanner))
            return
        }
        guard let keystrokes = KeyboardLayout.us.keystrokes(typing: code) else { return }
        await device.type(keystrokes, outcomes: 1)
    }

    /// The key code a USB numeric keypad sends for each cabinet key (linux/input-event-codes.h).
    static func keypadCode(for key: HardwareKey) -> UInt16 {
        switch key {
        case .digit(let digit): return [82, 79, 80, 81, 75, 76, 77, 71, 72, 73][Int(digit % 10)]  // KEY_KP0...KEY_KP9
        case .enter: return 96   // KEY_KPENTER
        case .clear: return 55   // KEY_KPASTERISK
        case .back: return 14    // KEY_BACKSPACE
        case .menu: return 78    // KEY_KPPLUS
        }
    }

    /// Pulls a door open. A latched door does not open unless `force` is set.
    public func openDoor(board: Int, channel: Int, force: Bool = false) async throws {
        try change(board: board, channel: channel) { state, index in
            guard state.doorOpen[board]?[index] == false else { throw PersonError.doorAlreadyOpen(board: board, channel: channel) }
            guard force else { throw PersonError.doorLocked(board: board, channel: channel) }
            state.doorOpen[board]?[index] = true
        }
        await report(.doorChanged(board: board, channel: channel, isOpen: true), board: board, wait: true)
    }

    public func closeDoor(board: Int, channel: Int) async throws {
        try change(board: board, channel: channel) { state, index in
            guard state.doorOpen[board]?[index] == true else { throw PersonError.doorClosed(board: board, channel: channel) }
            state.doorOpen[board]?[index] = false
        }
        await report(.doorChanged(board: board, channel: channel, isOpen: false), board: board, wait: true)
    }

    public func setItem(board: Int, channel: Int, present: Bool) async throws {
        guard let spec = boards.first(where: { $0.address == board }) else {
            throw PersonError.noSuchDoor(board: board, channel: channel)
        }
        var changed = false
        try change(board: board, channel: channel) { state, index in
            guard state.doorOpen[board]?[index] == true else { throw PersonError.doorClosed(board: board, channel: channel) }
            changed = state.itemPresent[board]?[index] != present
            state.itemPresent[board]?[index] = present
        }
        if spec.hasItemSensors && changed {
            await report(.itemChanged(board: board, channel: channel, isPresent: present), board: board, wait: true)
        }
    }

    // MARK: - Faults

    public func setJammed(board: Int, channel: Int, _ jammed: Bool) {
        physical.withLock { state in
            if jammed { state.jammed.insert("\(board):\(channel)") } else { state.jammed.remove("\(board):\(channel)") }
            save(state)
        }
    }

    /// A latch whose coil is open or shorted: its pulse is refused with
    /// `HardwareError.latchFault` (own-protocol firmware answers UNLOCK result 02); the board's
    /// other latches work.
    public func setLatchFaulty(board: Int, channel: Int, _ faulty: Bool) {
        faultyLatches.withLock { set in
            if faulty { set.insert("\(board):\(channel)") } else { set.remove("\(board):\(channel)") }
        }
    }

    public func setBoardDown(_ board: Int, _ down: Bool) async {
        physical.withLock { state in
            if down { state.boardsDown.insert(board) } else { state.boardsDown.remove(board) }
            save(state)
        }
        // A real board that goes silent or recovers is noticed by polling; the simulation says so at
        // once (boards behind the simulated firmware are polled by their real driver instead).
        guard firmwareSinks.withLock({ $0[board] }) == nil else { return }
        await events.deliver(down ? .boardLost(board: board, detail: "no reply (simulated board is down)") : .boardBack(board: board))
    }

    // MARK: - Queries (tests, the front panel's map)

    /// Whether `board` is switched off or cut from its bus (`setBoardDown`): its simulated
    /// firmware then hears nothing and answers nothing, as a real board would.
    public func isBoardDown(_ board: Int) -> Bool {
        physical.withLock { $0.boardsDown.contains(board) }
    }

    public func isDoorOpen(board: Int, channel: Int) -> Bool {
        physical.withLock { $0.doorOpen[board].flatMap { $0.indices.contains(channel - 1) ? $0[channel - 1] : nil } ?? false }
    }

    public func isItemPresent(board: Int, channel: Int) -> Bool {
        physical.withLock { $0.itemPresent[board].flatMap { $0.indices.contains(channel - 1) ? $0[channel - 1] : nil } ?? false }
    }

    /// The latch pulses the boards received, in order (tests check the expected calls; the most
    /// recent ones, see `RecentLog`).
    public var unlocks: [BoardChannel] { unlockLog.withLock { $0.recent } }

    /// The boards asked for their inert state (`LockBoard.releaseAll`), in order.
    public var latchReleases: [Int] { releaseLog.withLock { $0.recent } }

    /// A board was asked to release every latch. Simulated pulses end at once, so only the call is
    /// recorded.
    public func latchesReleased(board: Int) {
        releaseLog.withLock { $0.append(board) }
    }

    // MARK: - Board side (used by SimulatedLockBoard)

    /// The latch side of a board (simulated boards and simulated firmware call it).
    public func pulseLatch(board: Int, channel: Int) throws {
        let opened: Bool = try physical.withLock { state in
            guard !state.boardsDown.contains(board) else {
                throw HardwareError.boardNotAnswering(board: board, detail: "no reply (simulated board is down)")
            }
            guard let doors = state.doorOpen[board], doors.indices.contains(channel - 1) else {
                throw HardwareError.channelOutOfRange(board: board, channel: channel, channelCount: state.doorOpen[board]?.count ?? 0)
            }
            if faultyLatches.withLock({ $0.contains("\(board):\(channel)") }) {
                throw HardwareError.latchFault(board: board, channel: channel, detail: "coil open (simulated)")
            }
            // A jammed latch takes the pulse and stays shut; a door already open stays open.
            if state.jammed.contains("\(board):\(channel)") || doors[channel - 1] { return false }
            state.doorOpen[board]?[channel - 1] = true
            save(state)
            return true
        }
        unlockLog.withLock { $0.append(BoardChannel(board: board, channel: channel)) }
        if opened {
            // The door springs open: the sensor report follows the pulse.
            let event = HardwareEvent.doorChanged(board: board, channel: channel, isOpen: true)
            if let sink = firmwareSinks.withLock({ $0[board] }) { sink(event) } else { events.post(event) }
        }
    }

    /// The sensor side of a board (simulated boards and simulated firmware call it).
    public func sensorStatus(board: Int) throws -> LockBoardStatus {
        try physical.withLock { state in
            guard !state.boardsDown.contains(board) else {
                throw HardwareError.boardNotAnswering(board: board, detail: "no reply (simulated board is down)")
            }
            let hasItems = boards.first { $0.address == board }?.hasItemSensors ?? false
            return LockBoardStatus(
                doorOpen: state.doorOpen[board] ?? [],
                itemPresent: hasItems ? state.itemPresent[board] : nil
            )
        }
    }

    // MARK: - Private

    private func change(
        board: Int, channel: Int, _ body: (inout Physical, Int) throws -> Void
    ) throws {
        try physical.withLock { state in
            guard let doors = state.doorOpen[board], doors.indices.contains(channel - 1) else {
                throw PersonError.noSuchDoor(board: board, channel: channel)
            }
            try body(&state, channel - 1)
            save(state)
        }
    }

    private func save(_ state: Physical) {
        guard let stateFile else { return }
        // Write-then-rename: a crash leaves the old file or the new one. No fsync: the simulated
        // world only has to survive a killed process (the kernel keeps the data), not a power cut.
        guard let data = try? JSONEncoder().encode(state) else { return }
        let temporary = stateFile.appendingPathExtension("tmp")
        do {
            try data.write(to: temporary)
            _ = try FileManager.default.replaceItemAt(stateFile, withItemAt: temporary)
        } catch {
            try? data.write(to: stateFile)
        }
    }
}
