#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerHAL
import Synchronization

/// A `GPIOLineDriver` for tests: one simulated chip whose lines behave as the kernel's do
/// (requests, active-low inversion, edges queued on event lines, EBUSY for a held line), which
/// records every call and lets a test inject edges and failures. It lives in `LockerTesting` so that
/// any test target can drive a `GPIOLockBoard` without hardware, and no product ships it.
///
/// Levels are physical (`.high`/`.low`), as a technician would measure them; the calls the fake
/// records are logical, as the driver protocol speaks. A test therefore sees both what lockerd
/// asked for and what the pin did.
///
/// Waiting for edges is scripted, not timed: `waitForEdgeEvents` returns injected edges batch by
/// batch; once they are used up it reports one timeout (an empty result, meaning "a full timeout
/// passed without an edge"), and after that it suspends until more edges are injected or the
/// waiting task is cancelled. `waitUntilIdle()` returns once the consumer is suspended there, that
/// is, once it has dealt with everything injected so far.
///
/// A test can also model wiring between lines (`setWiring`): a matrix keypad's pressed key, say,
/// connects a row input to a column output. Input levels then follow the outputs as they are
/// driven, and every level the wiring changes on an event line queues an edge, as the kernel would.
public final class ScriptedGPIOLineDriver: GPIOLineDriver {
    public enum Level: Sendable, Equatable {
        case low
        case high
    }

    /// A call as recorded; lines are named by their offset on the chip.
    public enum Call: Sendable, Equatable {
        case openChip(String)
        case findLine(GPIOLineAddress)
        case requestOutput(offset: Int, activeLow: Bool, initiallyActive: Bool, consumer: String)
        case setValue(offset: Int, active: Bool)
        case requestBothEdgeEvents(offset: Int, activeLow: Bool, consumer: String)
        case readValue(offset: Int)
        case release(offset: Int)
        case closeChip
    }

    public struct RecordedCall: Sendable, Equatable {
        /// The call's place among all recorded calls, from 1: orders calls without any clock.
        public let sequence: Int
        public let call: Call
    }

    /// A line changing its physical level at a moment on the event clock.
    public struct Edge: Sendable {
        public var line: GPIOLineAddress
        public var level: Level
        public var timestamp: Duration

        public init(_ line: GPIOLineAddress, to level: Level, at timestamp: Duration) {
            self.line = line
            self.level = level
            self.timestamp = timestamp
        }
    }

    /// Computes the physical level wiring gives a line that is not driven by us: called with the
    /// line's offset and the current level of every line by offset; returns nil for a line the
    /// wiring does not reach (its level stays as set or injected). It runs under the fake's lock,
    /// so it must not call the fake.
    public typealias Wiring = @Sendable (_ offset: Int, _ levelOf: (Int) -> Level) -> Level?

    private enum Request {
        case output(activeLow: Bool)
        case events(activeLow: Bool)

        var activeLow: Bool {
            switch self {
            case .output(let activeLow), .events(let activeLow): return activeLow
            }
        }
    }

    private struct Line {
        let offset: Int
        let name: String?
        var level: Level = .low
        var request: Request?
        /// As `findLine` handed it out, so edge events carry the same handle.
        var handle: GPIOLineHandle?
        var heldBy: String?
        var setValueFailures: [(active: Bool, errno: Int32)] = []
    }

    private struct State {
        var lines: [Line]
        var openChip: GPIOChipHandle?
        var openFailure: Int32?
        var nextChipID = 1
        var sequence = 0
        var calls: [RecordedCall] = []
        var waitTimeouts: [Duration] = []
        var waitFailure: Int32?
        var queued: [[GPIOEdgeEvent]] = []
        var owesTimeout = true
        var waiter: CheckedContinuation<[GPIOEdgeEvent], any Error>?
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var now: Duration = .zero
        var wiring: Wiring?

        mutating func record(_ call: Call) {
            sequence += 1
            calls.append(RecordedCall(sequence: sequence, call: call))
        }
    }

    /// The chip's kernel name ("gpiochip0"); it opens by that name, its /dev path, its label, or its
    /// number.
    public let chipName: String
    public let chipLabel: String
    private let state: Mutex<State>

    /// - Parameter lineNames: one entry per line, in offset order; nil for an unnamed line.
    public init(chip: String = "gpiochip0", label: String = "scripted-gpio", lineNames: [String?]) {
        chipName = chip
        chipLabel = label
        state = Mutex(State(lines: lineNames.enumerated().map { Line(offset: $0.offset, name: $0.element) }))
    }

    // MARK: - Script: failures, levels, edges, clock

    /// Every later `openChip` fails with this errno (ENOENT: the chip is missing).
    public func failOpening(errno code: Int32) {
        state.withLock { $0.openFailure = code }
    }

    /// Another program holds the line: requesting it fails with EBUSY naming `consumer`.
    public func holdLine(_ line: GPIOLineAddress, by consumer: String) {
        state.withLock { $0.lines[Self.index(of: line, in: $0)].heldBy = consumer }
    }

    /// The next `times` attempts to set the line to `active` fail with `errno`.
    public func failSetValue(of line: GPIOLineAddress, toActive active: Bool, errno code: Int32, times: Int = 1) {
        state.withLock { state in
            let index = Self.index(of: line, in: state)
            state.lines[index].setValueFailures += Array(repeating: (active, code), count: times)
        }
    }

    /// The next `waitForEdgeEvents` fails with `errno` (the chip went away, say).
    public func failNextWait(errno code: Int32) {
        let waiter: CheckedContinuation<[GPIOEdgeEvent], any Error>? = state.withLock { state in
            state.waitFailure = code
            defer { state.waiter = nil }
            return state.waiter
        }
        // A consumer already waiting gets the failure now.
        if let waiter { waiter.resume(throwing: takeWaitFailure()) }
    }

    /// Sets a line's physical level without an edge event (the state before the test starts).
    public func setLevel(_ line: GPIOLineAddress, to level: Level) {
        state.withLock { $0.lines[Self.index(of: line, in: $0)].level = level }
    }

    /// Sets what `eventClockNow()` returns.
    public func setEventClock(_ now: Duration) {
        state.withLock { $0.now = now }
    }

    /// Installs (or, with nil, removes) the wiring between lines, and applies it at once. From then
    /// on it is applied after every output request, every value set and before every read.
    public func setWiring(_ wiring: Wiring?) {
        let delivery = state.withLock { state in
            state.wiring = wiring
            return Self.applyWiring(in: &state)
        }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
    }

    /// The test's model behind the wiring changed (a key was pressed or released): applies it now,
    /// so the edges it causes reach a consumer waiting for them.
    public func wiringChanged() {
        let delivery = state.withLock { Self.applyWiring(in: &$0) }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
    }

    /// Lines change level; lines requested for edge events queue one event per edge, in one batch
    /// that a single `waitForEdgeEvents` returns (as when several edges arrived before the wait).
    public func inject(_ edges: [Edge]) {
        let delivery: (CheckedContinuation<[GPIOEdgeEvent], any Error>, [GPIOEdgeEvent])? = state.withLock { state in
            var batch: [GPIOEdgeEvent] = []
            for edge in edges {
                let index = Self.index(of: edge.line, in: state)
                state.lines[index].level = edge.level
                let line = state.lines[index]
                guard case .events(let activeLow)? = line.request, let handle = line.handle else { continue }
                batch.append(GPIOEdgeEvent(
                    line: handle, becameActive: Self.isActive(edge.level, activeLow: activeLow), timestamp: edge.timestamp
                ))
            }
            guard !batch.isEmpty else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                state.owesTimeout = true
                return (waiter, batch)
            }
            state.queued.append(batch)
            return nil
        }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
    }

    /// Returns once the consumer waits for edges with nothing left to hand it: everything injected
    /// so far has been dealt with.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state in
                if state.waiter != nil && state.queued.isEmpty { return true }
                state.idleWaiters.append(done)
                return false
            }
            if idle { done.resume() }
        }
    }

    // MARK: - What happened

    public var recordedCalls: [RecordedCall] { state.withLock { $0.calls } }
    public var calls: [Call] { recordedCalls.map(\.call) }
    /// The timeouts `waitForEdgeEvents` was called with, in order.
    public var waitTimeouts: [Duration] { state.withLock { $0.waitTimeouts } }

    /// The values set on a line, in order (true: active).
    public func values(setOn line: GPIOLineAddress) -> [Bool] {
        let offset = state.withLock { $0.lines[Self.index(of: line, in: $0)].offset }
        return calls.compactMap {
            if case .setValue(offset, let active) = $0 { return active }
            return nil
        }
    }

    public func level(of line: GPIOLineAddress) -> Level {
        state.withLock { $0.lines[Self.index(of: line, in: $0)].level }
    }

    public func isRequested(_ line: GPIOLineAddress) -> Bool {
        state.withLock { $0.lines[Self.index(of: line, in: $0)].request != nil }
    }

    public var isChipOpen: Bool { state.withLock { $0.openChip != nil } }

    /// Where a line sits on the chip, for a `Wiring` that speaks in offsets.
    public func offset(of line: GPIOLineAddress) -> Int {
        state.withLock { Self.index(of: line, in: $0) }
    }

    // MARK: - GPIOLineDriver

    public func openChip(_ chip: String) throws -> GPIOChipHandle {
        try state.withLock { state in
            state.record(.openChip(chip))
            if let code = state.openFailure { throw GPIOHardwareErrors.chipNotOpened(chip, errno: code) }
            guard answers(to: chip) else { throw GPIOHardwareErrors.chipNotOpened(chip, errno: ENOENT) }
            let handle = GPIOChipHandle(id: state.nextChipID, name: chip)
            state.nextChipID += 1
            state.openChip = handle
            return handle
        }
    }

    public func findLine(_ address: GPIOLineAddress, on chip: GPIOChipHandle) throws -> GPIOLineHandle {
        try state.withLock { state in
            state.record(.findLine(address))
            guard state.openChip == chip else { throw GPIOHardwareErrors.lineNotFound(address, on: chip, errno: EBADF) }
            let found: Int?
            switch address {
            case .name(let name): found = state.lines.firstIndex { $0.name == name }
            case .offset(let offset): found = state.lines.indices.contains(offset) ? offset : nil
            }
            guard let index = found else {
                let code = if case .offset = address { EINVAL } else { ENOENT }
                throw GPIOHardwareErrors.lineNotFound(address, on: chip, errno: code)
            }
            let name: String? = if case .name(let configured) = address { configured } else { state.lines[index].name }
            let handle = GPIOLineHandle(chip: chip, offset: index, name: name)
            state.lines[index].handle = handle
            return handle
        }
    }

    public func requestOutput(_ line: GPIOLineHandle, activeLow: Bool, initiallyActive: Bool, consumer: String) throws {
        let delivery = try state.withLock { state in
            state.record(.requestOutput(
                offset: line.offset, activeLow: activeLow, initiallyActive: initiallyActive, consumer: consumer
            ))
            let index = try Self.requestable(line, as: "as output", in: state)
            state.lines[index].request = .output(activeLow: activeLow)
            state.lines[index].level = Self.level(active: initiallyActive, activeLow: activeLow)
            return Self.applyWiring(in: &state)
        }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
    }

    public func setValue(_ active: Bool, of line: GPIOLineHandle) throws {
        let delivery = try state.withLock { state in
            state.record(.setValue(offset: line.offset, active: active))
            let index = try Self.existing(line, in: state, for: "setting the value")
            if let failure = state.lines[index].setValueFailures.firstIndex(where: { $0.active == active }) {
                let code = state.lines[index].setValueFailures.remove(at: failure).errno
                throw GPIOHardwareErrors.operationFailed(line, "setting the value", errno: code)
            }
            guard case .output(let activeLow)? = state.lines[index].request else {
                throw GPIOHardwareErrors.operationFailed(line, "setting the value", errno: EPERM)
            }
            state.lines[index].level = Self.level(active: active, activeLow: activeLow)
            return Self.applyWiring(in: &state)
        }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
    }

    public func requestBothEdgeEvents(_ line: GPIOLineHandle, activeLow: Bool, consumer: String) throws {
        try state.withLock { state in
            state.record(.requestBothEdgeEvents(offset: line.offset, activeLow: activeLow, consumer: consumer))
            let index = try Self.requestable(line, as: "edge events", in: state)
            state.lines[index].request = .events(activeLow: activeLow)
        }
    }

    public func readValue(of line: GPIOLineHandle) throws -> Bool {
        let (value, delivery) = try state.withLock { state in
            state.record(.readValue(offset: line.offset))
            let index = try Self.existing(line, in: state, for: "reading the value")
            guard let request = state.lines[index].request else {
                throw GPIOHardwareErrors.operationFailed(line, "reading the value", errno: EPERM)
            }
            let delivery = Self.applyWiring(in: &state)
            return (Self.isActive(state.lines[index].level, activeLow: request.activeLow), delivery)
        }
        if let (waiter, batch) = delivery { waiter.resume(returning: batch) }
        return value
    }

    /// Returns queued edges of every event line (the board waits on all of its sensors at once).
    public func waitForEdgeEvents(on lines: [GPIOLineHandle], timeout: Duration) async throws -> [GPIOEdgeEvent] {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[GPIOEdgeEvent], any Error>) in
                let (now, idle): (Result<[GPIOEdgeEvent], any Error>?, [CheckedContinuation<Void, Never>]) =
                    state.withLock { state in
                        state.waitTimeouts.append(timeout)
                        if Task.isCancelled { return (.failure(CancellationError()), []) }
                        if let code = state.waitFailure {
                            state.waitFailure = nil
                            return (.failure(Self.waitError(code, chip: state.openChip)), [])
                        }
                        if !state.queued.isEmpty {
                            state.owesTimeout = true
                            return (.success(state.queued.removeFirst()), [])
                        }
                        if state.owesTimeout {
                            state.owesTimeout = false
                            return (.success([]), [])
                        }
                        state.waiter = continuation
                        defer { state.idleWaiters = [] }
                        return (nil, state.idleWaiters)
                    }
                for waiter in idle { waiter.resume() }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    public func eventClockNow() -> Duration {
        state.withLock { $0.now }
    }

    public func release(_ line: GPIOLineHandle) {
        state.withLock { state in
            state.record(.release(offset: line.offset))
            // Like the kernel, the level stays where it was: a released line's state is undefined.
            if state.lines.indices.contains(line.offset) { state.lines[line.offset].request = nil }
        }
    }

    public func closeChip(_ chip: GPIOChipHandle) {
        let idle: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.record(.closeChip)
            guard state.openChip == chip else { return [] }
            state.openChip = nil
            for index in state.lines.indices { state.lines[index].request = nil }
            // Nobody will wait on this chip again: let tests waiting for idleness go on.
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in idle { waiter.resume() }
    }

    // MARK: - Helpers

    private func answers(to chip: String) -> Bool {
        if chip == chipName || chip == "/dev/\(chipName)" || chip == chipLabel { return true }
        return chipName.hasPrefix("gpiochip") && chip == String(chipName.dropFirst("gpiochip".count))
    }

    private func takeWaitFailure() -> any Error {
        state.withLock { state in
            defer { state.waitFailure = nil }
            return Self.waitError(state.waitFailure ?? EIO, chip: state.openChip)
        }
    }

    private static func waitError(_ code: Int32, chip: GPIOChipHandle?) -> any Error {
        HardwareError.io(
            device: chip?.description ?? "a closed gpiochip", operation: "waiting for edge events",
            detail: GPIOHardwareErrors.errnoText(code)
        )
    }

    /// Gives every line the wiring reaches its wired level (lines we drive keep theirs) and queues
    /// an edge for each event line that changed, stamped now. Returns the waiting consumer and the
    /// edges when one waits; otherwise the edges join the last undelivered batch, as the kernel
    /// hands out everything queued at the next read.
    private static func applyWiring(
        in state: inout State
    ) -> (CheckedContinuation<[GPIOEdgeEvent], any Error>, [GPIOEdgeEvent])? {
        guard let wiring = state.wiring else { return nil }
        let levels = state.lines.map(\.level)
        var edges: [GPIOEdgeEvent] = []
        for index in state.lines.indices {
            if case .output? = state.lines[index].request { continue }
            guard let wired = wiring(index, { levels[$0] }), wired != state.lines[index].level else { continue }
            state.lines[index].level = wired
            if case .events(let activeLow)? = state.lines[index].request, let handle = state.lines[index].handle {
                edges.append(GPIOEdgeEvent(
                    line: handle, becameActive: isActive(wired, activeLow: activeLow), timestamp: state.now
                ))
            }
        }
        guard !edges.isEmpty else { return nil }
        if let waiter = state.waiter {
            state.waiter = nil
            state.owesTimeout = true
            return (waiter, edges)
        }
        if state.queued.isEmpty {
            state.queued.append(edges)
        } else {
            state.queued[state.queued.count - 1] += edges
        }
        return nil
    }

    private static func index(of line: GPIOLineAddress, in state: State) -> Int {
        let found: Int? = switch line {
        case .name(let name): state.lines.firstIndex { $0.name == name }
        case .offset(let offset): state.lines.indices.contains(offset) ? offset : nil
        }
        guard let found else { preconditionFailure("the scripted chip has no \(line)") }
        return found
    }

    private static func existing(_ line: GPIOLineHandle, in state: State, for operation: String) throws -> Int {
        guard state.openChip == line.chip, state.lines.indices.contains(line.offset) else {
            throw GPIOHardwareErrors.operationFailed(line, operation, errno: EBADF)
        }
        return line.offset
    }

    private static func requestable(_ line: GPIOLineHandle, as use: String, in state: State) throws -> Int {
        let index = try existing(line, in: state, for: "requesting \(use)")
        if let holder = state.lines[index].heldBy {
            throw GPIOHardwareErrors.requestRefused(line, as: use, errno: EBUSY, heldBy: holder)
        }
        if state.lines[index].request != nil {
            throw GPIOHardwareErrors.requestRefused(line, as: use, errno: EBUSY, heldBy: "lockerd")
        }
        return index
    }

    private static func level(active: Bool, activeLow: Bool) -> Level {
        active != activeLow ? .high : .low
    }

    private static func isActive(_ level: Level, activeLow: Bool) -> Bool {
        (level == .high) != activeLow
    }
}
