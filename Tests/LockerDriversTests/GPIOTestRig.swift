import LockerDrivers
import LockerTesting
import LockerHAL
import Logging
import Synchronization

/// A scripted chip wired as a small cabinet, the board on top of it, and recorders for what the
/// board does: the fixture every GPIO lock-board test starts from.
///
/// Channel 1: active-high latch "LATCH1", door sensor "DOOR1" (active-high, open when active).
/// Channel 2: active-low latch "LATCH2", door sensor "DOOR2" (active-low, open when active).
/// Channel 3: active-high latch at offset 2, no door sensor.
struct GPIOTestRig {
    static let lineNames: [String?] = ["LATCH1", "LATCH2", "LATCH3", "DOOR1", "DOOR2", "DOOR3", nil, "SPARE"]
    static let boardAddress = 7

    static let configuration = GPIOLockBoardConfiguration(
        chip: "gpiochip0",
        channels: [
            .init(latch: .name("LATCH1"), doorSensor: .init(line: .name("DOOR1"))),
            .init(latch: .name("LATCH2"), latchActiveLow: true, doorSensor: .init(line: .name("DOOR2"), activeLow: true)),
            .init(latch: .offset(2)),
        ]
    )

    let driver = ScriptedGPIOLineDriver(chip: "gpiochip0", label: "test-gpio", lineNames: Self.lineNames)
    let log = GPIOCapturedLog()

    /// Every door starts closed: DOOR1 low (inactive), DOOR2 high (inactive, being active-low).
    init() {
        driver.setLevel(.name("DOOR2"), to: .high)
    }

    func board(
        configuration: GPIOLockBoardConfiguration = Self.configuration,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { _ in }
    ) throws -> GPIOLockBoard {
        try GPIOLockBoard(
            address: Self.boardAddress, configuration: configuration, driver: driver, logger: log.logger, sleep: sleep
        )
    }

    /// The calls recorded after `mark`, a count taken from `driver.recordedCalls.count`.
    func calls(after mark: Int) -> [ScriptedGPIOLineDriver.Call] {
        Array(driver.recordedCalls.dropFirst(mark).map(\.call))
    }
}

/// Collects the events a board delivers.
final class GPIORecordingHandler: HardwareEventHandler {
    private let received = Mutex<[HardwareEvent]>([])

    func handle(_ event: HardwareEvent) async {
        received.withLock { $0.append(event) }
    }

    var events: [HardwareEvent] { received.withLock { $0 } }
}

/// Log lines in memory, so tests can check what a technician would read.
final class GPIOCapturedLog: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
    }

    private let entries = Mutex<[Entry]>([])

    var logger: Logger {
        Logger(label: "gpio-test") { _ in Handler(log: self) }
    }

    var lines: [Entry] { entries.withLock { $0 } }

    fileprivate func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }

    private struct Handler: LogHandler {
        let log: GPIOCapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append(Entry(level: event.level, message: event.message.description))
        }
    }
}

/// A pulse "sleep" that tells the test when the pulse started and then stays suspended until its
/// task is cancelled: lets a test cancel an unlock in the middle of its pulse without real time.
final class GPIOPulseHeldUntilCancelled: Sendable {
    private let started: AsyncStream<Duration>
    private let startedContinuation: AsyncStream<Duration>.Continuation

    init() {
        (started, startedContinuation) = AsyncStream<Duration>.makeStream()
    }

    @Sendable func sleep(_ duration: Duration) async throws {
        startedContinuation.yield(duration)
        let (never, keepOpen) = AsyncStream<Never>.makeStream()
        for await _ in never {}
        keepOpen.finish()
        try Task.checkCancellation()
    }

    /// Returns once a pulse started.
    func pulseStarted() async {
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
    }
}
