// The resident's wait: from the last key of a valid pickup code to the unlock command reaching the
// lock board, through the real controller, HMAC check and durable SQLite commit (WAL,
// synchronous=FULL, so one fsync) on the simulated cabinet. Target: p99 <= 5 ms on this machine.
//
// Each iteration deposits a parcel and types the first digits of its code outside the measured
// window; only the last key is measured. Two figures are reported:
// - "last key to unlock (µs)": the custom metric, from the key press to the moment the board's
//   unlock was called (the latency the issue asks for);
// - wallClock: the whole key press, including the display message and buzzer after the unlock.
import Benchmark
import Foundation
import LockerDaemon
import LockerHAL
import LockerSimulator
import LockerStore
import Logging
import Synchronization

/// A lock board that notes when each unlock command reached it.
final class TimingLockBoard: LockBoard {
    let inner: SimulatedLockBoard
    let lastUnlock = Mutex<ContinuousClock.Instant?>(nil)

    init(_ inner: SimulatedLockBoard) { self.inner = inner }

    var address: Int { inner.address }
    var channelCount: Int { inner.channelCount }
    var hasItemSensors: Bool { inner.hasItemSensors }

    func unlock(channel: Int, pulseMilliseconds: Int) async throws {
        lastUnlock.withLock { $0 = ContinuousClock.now }
        try await inner.unlock(channel: channel, pulseMilliseconds: pulseMilliseconds)
    }

    func readStatus() async throws -> LockBoardStatus { try await inner.readStatus() }
    func releaseAll() async { await inner.releaseAll() }
}

/// One simulated cabinet with its real controller, kept for all iterations.
final class UnlockFixture: @unchecked Sendable {
    var directory: URL?
    var cabinet: SimulatedCabinet?
    var boards: [TimingLockBoard] = []
    var inbox: CabinetInbox?
    var tasks: [Task<Void, Never>] = []
    var configuration = CabinetConfiguration.simulatedDefault
    var parcelNumber = 0

    func prepare() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lockerd-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        let cabinet = SimulatedCabinet(boards: configuration.boards.map {
            .init(address: $0.address, channelCount: $0.channels, hasItemSensors: $0.hasItemSensors)
        })
        boards = configuration.boards.compactMap { cabinet.board($0.address) }.map(TimingLockBoard.init)
        let store = try CabinetStore(path: directory.appendingPathComponent("lockerd.sqlite").path)
        let key = try DeviceKey.loadOrCreate(at: directory.appendingPathComponent("device.key"))
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let controller = try CabinetController(
            configuration: configuration, store: store, clock: SystemCabinetClock(), hasher: HMACPickupCodeHasher(key: key),
            boards: boards, display: cabinet.display, buzzer: cabinet.buzzer, lights: cabinet.lights, logger: logger)
        let inbox = CabinetInbox()
        tasks = [Task { await inbox.run(controller) }, Task { await cabinet.events.run(delivering: inbox) }]
        self.cabinet = cabinet
        self.inbox = inbox
        await cabinet.events.drain()
    }

    func tearDown() async {
        inbox?.finish()
        cabinet?.events.finish()
        for task in tasks { await task.value }
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func press(_ keys: [HardwareKey]) async {
        for key in keys { await cabinet!.press(key) }
        await cabinet!.events.drain()
    }

    static func digits(_ text: String) -> [HardwareKey] {
        text.compactMap { $0.wholeNumberValue.map { HardwareKey.digit(UInt8($0)) } }
    }

    /// A courier deposits one parcel; returns its door (board, channel) and pickup code.
    func depositOne() async throws -> (board: Int, channel: Int, code: String) {
        let cabinet = self.cabinet!
        parcelNumber += 1
        await press([.menu] + Self.digits("1001") + [.enter] + Self.digits("4321") + [.enter])
        await cabinet.scan(String(format: "BENCH%08d", parcelNumber))
        await press([.digit(1)])  // XS: lands in any size, so the cabinet never fills
        let opened = cabinet.display.messages.last { $0.contains(" is open.") } ?? ""
        let label = String(opened.dropFirst(5).prefix(3))
        let entry = configuration.compartments.first { $0.label == label }!
        try await cabinet.setItem(board: entry.board, channel: entry.channel, present: true)
        try await cabinet.closeDoor(board: entry.board, channel: entry.channel)
        await cabinet.events.drain()
        let shown = cabinet.display.messages.last { $0.contains("Pickup code") } ?? ""
        let code = String(shown.split(separator: " ").last { Int($0.dropLast()) != nil }?.dropLast() ?? "")
        await press([.menu])
        return (entry.board, entry.channel, code)
    }

    func pickUp(board: Int, channel: Int) async throws {
        try await cabinet!.setItem(board: board, channel: channel, present: false)
        try await cabinet!.closeDoor(board: board, channel: channel)
        await cabinet!.events.drain()
    }
}

let benchmarks: @Sendable () -> Void = {
    let fixture = UnlockFixture()
    let keyToUnlock = BenchmarkMetric.custom("last key to unlock (µs)")

    Benchmark(
        "pickup: last code key to unlock command, 30-door simulated cabinet",
        configuration: .init(
            metrics: [.wallClock, keyToUnlock],
            timeUnits: .microseconds,
            warmupIterations: 10,
            maxDuration: .seconds(20),
            maxIterations: 500
        )
    ) { benchmark in
        do {
            let door = try await fixture.depositOne()
            await fixture.press(UnlockFixture.digits(String(door.code.dropLast())))
            let board = fixture.boards.first { $0.address == door.board }!
            let lastKey = UnlockFixture.digits(String(door.code.suffix(1)))[0]
            benchmark.startMeasurement()
            let pressed = ContinuousClock.now
            await fixture.cabinet!.press(lastKey)
            benchmark.stopMeasurement()
            guard let unlockedAt = board.lastUnlock.withLock({ $0 }), unlockedAt > pressed else {
                benchmark.error("the door did not unlock for code \(door.code)")
                return
            }
            let microseconds = (unlockedAt - pressed) / .microseconds(1)
            benchmark.measurement(keyToUnlock, Int(microseconds.rounded()))
            try await fixture.pickUp(board: door.board, channel: door.channel)
        } catch {
            benchmark.error("\(error)")
        }
    } setup: {
        try await fixture.prepare()
    } teardown: {
        await fixture.tearDown()
    }
}
