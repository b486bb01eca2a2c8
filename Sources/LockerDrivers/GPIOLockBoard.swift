public import LockerHAL
public import Logging
import Synchronization

/// A lock board made of GPIO lines: per channel a latch output (through a relay or driver
/// transistor) and an optional door-switch input, all on one gpiochip. It is both the `LockBoard`
/// the controller unlocks through and the `HardwareEventSource` that reports door changes from
/// kernel edge events (no polling), debounced on the edges' own timestamps.
///
/// ## Wiring must fail secure
///
/// The software keeps a latch energised only while it holds the line active, for one pulse, and
/// drives it inactive afterwards on every path (normal end, error, cancellation) and in
/// `releaseAll()` at shutdown. That is not enough on its own: when lockerd dies (crash, SIGKILL,
/// power cut of the controller only) nothing runs, and the kernel does not define what a line does
/// once its owner is gone: a released output may keep driving its last value, and at boot pins come
/// up as inputs with whatever pull the SoC gives them. So the hardware must be safe in every one of
/// these states:
/// - Use fail-secure latches: locked when unpowered, unlocked only while the coil is energised.
/// - Energise the coil through a relay or transistor that is off when its input is not driven:
///   a pull resistor on the driver's input towards "off" (pull-down for an active-high driver,
///   pull-up for an active-low relay module), so a floating or reset pin keeps the door locked.
///   Check the pin's own power-on pull too: it must not point towards "on".
/// - Prefer latches whose coil tolerates being held, or add a hardware pulse limit (a monostable
///   or a capacitor-coupled driver), so a line stuck active cannot burn the coil or hold a door
///   unlocked.
/// On start, `init` requests every latch line with its inactive value from the first instant, which
/// also ends any pulse a crashed predecessor left behind, and the daemon re-reads every door with
/// `readStatus()` instead of trusting saved state.
///
/// ## Life cycle
///
/// `init` opens the chip and requests all lines (so a wrong chip, a missing line or a line held by
/// another program fails at start-up, with a message naming it). Run `run(delivering:)` in its own
/// task; at shutdown cancel that task, then call `close()` (which calls `releaseAll()` first).
public final class GPIOLockBoard: LockBoard, HeartbeatingEventSource {
    /// The consumer name the kernel shows for our lines (`gpioinfo`).
    public static let consumer = "lockerd"

    /// How long one event wait lasts when no door change is settling. It bounds how late `run`
    /// notices cancellation, since the real driver's poll(2) is not interrupted by it.
    static let idleWait: Duration = .milliseconds(250)

    private struct ChannelLines: Sendable {
        let channel: Int
        let latch: GPIOLineHandle
        let sensor: (line: GPIOLineHandle, configuration: GPIOLockBoardConfiguration.DoorSensor)?
    }

    public let address: Int
    public let configuration: GPIOLockBoardConfiguration
    private let driver: any GPIOLineDriver
    private let chip: GPIOChipHandle
    private let channels: [ChannelLines]
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    /// The door states the daemon was last told, by `readStatus` or by a delivered change, so that
    /// `run` can report what changed before it started watching.
    private let lastReported = Mutex<[Int: Bool]>([:])
    private let closed = Mutex(false)

    public var channelCount: Int { channels.count }
    public var hasItemSensors: Bool { false }

    /// Opens `configuration.chip` and requests every line: latches as outputs, inactive from the
    /// first instant; door sensors as inputs with both-edge events.
    ///
    /// - Parameters:
    ///   - address: the board's number in the cabinet configuration (compartments refer to it).
    ///   - driver: `LibgpiodV1LineDriver()` on real hardware, `ScriptedGPIOLineDriver` (in `LockerTesting`) in tests.
    ///   - sleep: waits out a latch pulse; tests pass a function that returns at once.
    public init(
        address: Int,
        configuration: GPIOLockBoardConfiguration,
        driver: any GPIOLineDriver = LibgpiodV1LineDriver(),
        logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws {
        let problems = configuration.problems
        guard problems.isEmpty else {
            throw HardwareError.io(
                device: "GPIO lock board \(address)", operation: "checking the configuration",
                detail: problems.joined(separator: "; ")
            )
        }
        var logger = logger
        logger[metadataKey: "board.address"] = "\(address)"
        logger[metadataKey: "gpio.chip"] = "\(configuration.chip)"

        let chip = try driver.openChip(configuration.chip)
        var requested: [GPIOLineHandle] = []
        var channels: [ChannelLines] = []
        do {
            var roleByOffset: [Int: String] = [:]
            func take(_ address: GPIOLineAddress, as role: String) throws -> GPIOLineHandle {
                let line = try Self.describing(role) { try driver.findLine(address, on: chip) }
                // Two addresses (a name and an offset) can reach the same line; only the chip knows.
                if let earlier = roleByOffset[line.offset] {
                    throw HardwareError.io(
                        device: line.description, operation: "assigning lines",
                        detail: "the line is configured both as \(earlier) and as \(role)"
                    )
                }
                roleByOffset[line.offset] = role
                return line
            }
            for (index, channel) in configuration.channels.enumerated() {
                let number = index + 1
                let latchRole = "the latch of channel \(number) of GPIO lock board \(address)"
                let latch = try take(channel.latch, as: latchRole)
                try Self.describing(latchRole) {
                    try driver.requestOutput(
                        latch, activeLow: channel.latchActiveLow, initiallyActive: false, consumer: Self.consumer
                    )
                }
                requested.append(latch)
                var sensor: (line: GPIOLineHandle, configuration: GPIOLockBoardConfiguration.DoorSensor)?
                if let sensorConfiguration = channel.doorSensor {
                    let sensorRole = "the door sensor of channel \(number) of GPIO lock board \(address)"
                    let line = try take(sensorConfiguration.line, as: sensorRole)
                    try Self.describing(sensorRole) {
                        try driver.requestBothEdgeEvents(
                            line, activeLow: sensorConfiguration.activeLow, consumer: Self.consumer
                        )
                    }
                    requested.append(line)
                    sensor = (line, sensorConfiguration)
                }
                channels.append(ChannelLines(channel: number, latch: latch, sensor: sensor))
            }
        } catch {
            // Give back what we took, so a corrected configuration can be retried without a restart.
            for line in requested.reversed() { driver.release(line) }
            driver.closeChip(chip)
            throw error
        }

        self.address = address
        self.configuration = configuration
        self.driver = driver
        self.chip = chip
        self.channels = channels
        self.logger = logger
        self.sleep = sleep
    }

    deinit {
        close()
    }

    // MARK: - LockBoard

    /// Energises the channel's latch for the requested pulse (kept within the configured limits)
    /// and de-energises it afterwards, also when the pulse is cancelled or anything throws.
    /// Overlapping unlocks of one channel each end their own pulse: the latch is released when the
    /// first of them ends.
    public func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        let latch = try lines(of: channel).latch
        let pulse = configuration.pulse(forRequestedMilliseconds: pulseMilliseconds)
        if pulse != .milliseconds(pulseMilliseconds) {
            logger.warning("latch pulse kept within the configured limits", metadata: [
                "board.channel": "\(channel)", "pulse.requested_ms": "\(pulseMilliseconds)", "pulse.used": "\(pulse)",
            ])
        }
        // A cancelled unlock must not open a door at all.
        try Task.checkCancellation()

        var deEnergised = false
        defer {
            if !deEnergised { deEnergiseAfterFailure(latch, channel: channel) }
        }
        try Self.describing(latchRole(channel)) { try driver.setValue(true, of: latch) }
        try await sleep(pulse)
        try Self.describing(latchRole(channel)) { try driver.setValue(false, of: latch) }
        deEnergised = true
    }

    /// Reads every door sensor now. Doors without a sensor read closed.
    public func readStatus() async throws -> LockBoardStatus {
        var doorOpen: [Bool] = []
        var sensed: [Int: Bool] = [:]
        for channel in channels {
            guard let sensor = channel.sensor else {
                doorOpen.append(false)
                continue
            }
            let active = try Self.describing(sensorRole(channel.channel)) { try driver.readValue(of: sensor.line) }
            let isOpen = sensor.configuration.isOpen(lineActive: active)
            doorOpen.append(isOpen)
            sensed[channel.channel] = isOpen
        }
        lastReported.withLock { $0.merge(sensed) { _, now in now } }
        return LockBoardStatus(doorOpen: doorOpen)
    }

    /// The inert state of a GPIO board: every latch line driven to its inactive level (the
    /// physical level depends on `latchActiveLow`). Failures are logged as critical by
    /// `deEnergiseEveryLatch`, which a caller that wants the error can use instead.
    public func releaseAll() async {
        try? deEnergiseEveryLatch()
    }

    /// Drives every latch inactive: for shutdown, and whenever the daemon wants the inert state.
    /// Tries every latch even when one fails, then throws the first failure.
    public func deEnergiseEveryLatch() throws {
        var firstFailure: (any Error)?
        for channel in channels {
            do {
                try Self.describing(latchRole(channel.channel)) { try driver.setValue(false, of: channel.latch) }
            } catch {
                logger.critical("could not de-energise a latch: \(error)", metadata: ["board.channel": "\(channel.channel)"])
                firstFailure = firstFailure ?? error
            }
        }
        if let firstFailure { throw firstFailure }
    }

    /// Releases every latch (`deEnergiseEveryLatch`), gives all lines back and closes the chip.
    /// Call after `run` has ended; later calls do nothing.
    public func close() {
        let wasClosed = closed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        try? deEnergiseEveryLatch()
        for channel in channels {
            if let sensor = channel.sensor { driver.release(sensor.line) }
            driver.release(channel.latch)
        }
        driver.closeChip(chip)
    }

    // MARK: - HardwareEventSource

    /// Delivers `.doorChanged` for every door change that held for the debounce time, until
    /// cancelled (then it returns). Throws when the driver fails (the chip vanished, say).
    ///
    /// At start it reads every sensor; doors that differ from what `readStatus` or an earlier run
    /// last reported are delivered first, so nothing is lost between start-up reconciliation and
    /// this loop. Edges the kernel queued before that reading are already reflected in it and
    /// are skipped by their timestamps.
    public func run(delivering handler: any HardwareEventHandler) async throws {
        try await run(delivering: handler, heartbeat: {})
    }

    /// As `run(delivering:)`, with a heartbeat after every wait for edges (at least every
    /// `idleWait` while the doors stay still), so the daemon sees the loop is alive.
    public func run(delivering handler: any HardwareEventHandler, heartbeat: @escaping @Sendable () -> Void) async throws {
        let sensors = channels.compactMap { channel in channel.sensor.map { (channel: channel.channel, sensor: $0) } }
        guard !sensors.isEmpty else { return }
        let sensorByOffset = Dictionary(uniqueKeysWithValues: sensors.map { ($0.sensor.line.offset, $0) })

        // The clock first: an edge stamped before it happened before the reading below.
        let startedAt = driver.eventClockNow()
        var current: [Int: Bool] = [:]
        for (channel, sensor) in sensors {
            let active = try Self.describing(sensorRole(channel)) { try driver.readValue(of: sensor.line) }
            current[channel] = sensor.configuration.isOpen(lineActive: active)
        }
        let missed = lastReported.withLock { last in
            current.filter { channel, isOpen in last[channel].map { $0 != isOpen } ?? false }
        }
        for (channel, isOpen) in missed.sorted(by: { $0.key < $1.key }) {
            await deliver(channel: channel, isOpen: isOpen, to: handler)
        }

        var debouncer = GPIODoorDebouncer(window: configuration.debounce, reported: current)
        let lines = sensors.map(\.sensor.line)
        while !Task.isCancelled {
            let events: [GPIOEdgeEvent]
            do {
                let timeout = debouncer.hasCandidates ? configuration.debounce : Self.idleWait
                events = try await driver.waitForEdgeEvents(on: lines, timeout: timeout)
            } catch is CancellationError {
                return
            }
            var changes: [GPIODoorDebouncer.Change] = []
            if events.isEmpty {
                changes = debouncer.quietPeriodElapsed()
                if changes.isEmpty && !debouncer.hasCandidates {
                    // Nothing moving: check the levels themselves, so a lost edge cannot leave a
                    // door's state wrong for good.
                    var levels: [Int: Bool] = [:]
                    for (channel, sensor) in sensors {
                        let active = try Self.describing(sensorRole(channel)) { try driver.readValue(of: sensor.line) }
                        levels[channel] = sensor.configuration.isOpen(lineActive: active)
                    }
                    changes = debouncer.levelsRead(levels)
                }
            }
            // One order across lines (timestamps share a clock); a line's own edges keep theirs.
            let ordered = events.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }
            for (_, event) in ordered where event.timestamp >= startedAt {
                guard let watched = sensorByOffset[event.offset] else { continue }
                changes += debouncer.edgeSeen(
                    channel: watched.channel,
                    isOpen: watched.sensor.configuration.isOpen(lineActive: event.becameActive),
                    at: event.timestamp
                )
            }
            for change in changes {
                await deliver(channel: change.channel, isOpen: change.isOpen, to: handler)
            }
            heartbeat()
        }
    }

    // MARK: - Helpers

    private func lines(of channel: Int) throws -> ChannelLines {
        guard channels.indices.contains(channel - 1) else {
            throw HardwareError.channelOutOfRange(board: address, channel: channel, channelCount: channels.count)
        }
        return channels[channel - 1]
    }

    private func deliver(channel: Int, isOpen: Bool, to handler: any HardwareEventHandler) async {
        lastReported.withLock { $0[channel] = isOpen }
        logger.debug("door changed", metadata: ["board.channel": "\(channel)", "door.open": "\(isOpen)"])
        await handler.handle(.doorChanged(board: address, channel: channel, isOpen: isOpen))
    }

    /// The pulse failed or was cancelled: try again to drive the latch inactive. The original error
    /// is what the caller sees; a latch that stays energised is logged as critical, since only a
    /// person can help then.
    private func deEnergiseAfterFailure(_ latch: GPIOLineHandle, channel: Int) {
        do {
            try driver.setValue(false, of: latch)
        } catch {
            logger.critical(
                "latch may still be energised: \(error)",
                metadata: ["board.channel": "\(channel)", "gpio.line": "\(latch)"]
            )
        }
    }

    private func latchRole(_ channel: Int) -> String {
        "the latch of channel \(channel) of GPIO lock board \(address)"
    }

    private func sensorRole(_ channel: Int) -> String {
        "the door sensor of channel \(channel) of GPIO lock board \(address)"
    }

    /// Adds which latch or sensor a line is to a driver error, so the log names the compartment's
    /// channel as well as the chip and line.
    private static func describing<T>(_ role: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HardwareError {
            switch error {
            case .deviceMissing(let device, let detail):
                throw HardwareError.deviceMissing(device: "\(device), \(role)", detail: detail)
            case .io(let device, let operation, let detail):
                throw HardwareError.io(device: "\(device), \(role)", operation: operation, detail: detail)
            default:
                throw error
            }
        }
    }
}
