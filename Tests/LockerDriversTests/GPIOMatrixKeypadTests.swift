#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerTesting
import LockerHAL
import LockerInput
import Synchronization
import Testing

/// `GPIOMatrixKeypad` against the scripted chip, with the matrix modelled as wiring: a pressed key
/// connects its row to its column, so the rows follow what the keypad drives, as on the bench.
@Suite struct GPIOMatrixKeypadTests {
    static let lineNames: [String?] = ["ROW1", "ROW2", "ROW3", "ROW4", "COL1", "COL2", "COL3", "SPARE"]
    static let rowNames = ["ROW1", "ROW2", "ROW3", "ROW4"]
    static let columnNames = ["COL1", "COL2", "COL3"]

    static let configuration = GPIOMatrixKeypad.Configuration(
        name: "front panel",
        chip: "gpiochip0",
        rows: rowNames.map { .name($0) },
        columns: columnNames.map { .name($0) },
        layout: .threeByFour,
        scanInterval: .milliseconds(10),
        debounceScans: 3
    )

    /// The keypad's loop on its own task, and a way to stop it.
    struct Running {
        let task: Task<Void, any Error>
        let handler: GPIORecordingHandler

        func stop() async throws {
            task.cancel()
            try await task.value
        }
    }

    func start(_ keypad: GPIOMatrixKeypad, on matrix: KeypadMatrix) async -> Running {
        let handler = GPIORecordingHandler()
        let task = Task { try await keypad.run(delivering: handler) }
        await bounded("the keypad to reach rest") { await matrix.driver.waitUntilIdle() }
        return Running(task: task, handler: handler)
    }

    func keypad(
        _ matrix: KeypadMatrix, configuration: GPIOMatrixKeypad.Configuration = Self.configuration,
        pause: (@Sendable (Duration) async throws -> Void)? = nil
    ) throws -> GPIOMatrixKeypad {
        try GPIOMatrixKeypad(configuration: configuration, driver: matrix.driver, pause: pause ?? matrix.pause)
    }

    // MARK: - Typing

    @Test func typingOneTwoThreeEnterDeliversThoseKeysInOrder() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        for legend: Character in ["1", "2", "3", "#"] {
            matrix.press(legend, holdingForScans: 6)
            await bounded("the keypad to deal with \(legend)") { await matrix.driver.waitUntilIdle() }
        }

        #expect(running.handler.events == [.key(.digit(1)), .key(.digit(2)), .key(.digit(3)), .key(.enter)])
        #expect(matrix.pauses.allSatisfy { $0 == .milliseconds(10) }, "scans are the configured interval apart")
        try await running.stop()
    }

    @Test func aKeyHeldLongIsDeliveredOnce() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        matrix.press("5", holdingForScans: 200)
        await bounded("the keypad to deal with the key") { await matrix.driver.waitUntilIdle() }

        #expect(running.handler.events == [.key(.digit(5))])
        try await running.stop()
    }

    @Test func aPressShorterThanTheDebounceIsNotDelivered() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        // Closed for two scans; three are needed.
        matrix.press("7", holdingForScans: 2)
        await bounded("the keypad to deal with the bounce") { await matrix.driver.waitUntilIdle() }

        #expect(running.handler.events.isEmpty)
        try await running.stop()
    }

    @Test func twoKeysAtOnceDeliverNothing() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        matrix.press(["1", "5"], holdingForScans: 6)
        await bounded("the keypad to deal with the keys") { await matrix.driver.waitUntilIdle() }

        #expect(running.handler.events.isEmpty)
        try await running.stop()
    }

    @Test func theFourByFourLettersMapToTheirPanelKeys() async throws {
        let matrix = KeypadMatrix(columnNames: ["COL1", "COL2", "COL3", "SPARE"], layout: .fourByFour)
        var configuration = Self.configuration
        configuration.columns = matrix.columnNames.map { .name($0) }
        configuration.layout = .fourByFour
        let running = await start(try keypad(matrix, configuration: configuration), on: matrix)

        for legend: Character in ["A", "C", "B", "*", "D", "0"] {
            matrix.press(legend, holdingForScans: 4)
            await bounded("the keypad to deal with \(legend)") { await matrix.driver.waitUntilIdle() }
        }

        // 'C' and 'D' mean nothing to the panel.
        #expect(running.handler.events == [.key(.menu), .key(.back), .key(.clear), .key(.digit(0))])
        try await running.stop()
    }

    // MARK: - Rest

    @Test func atRestEveryColumnIsDrivenAndTheKeypadWaitsForARowEdgeWithoutReading() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        let driver = matrix.driver
        let columns = Self.columnNames.map { driver.offset(of: .name($0)) }
        let rows = Self.rowNames.map { driver.offset(of: .name($0)) }
        #expect(driver.calls.filter { if case .requestOutput = $0 { true } else { false } } == columns.map {
            .requestOutput(offset: $0, activeLow: true, initiallyActive: false, consumer: "lockerd keypad")
        })
        #expect(driver.calls.filter { if case .requestBothEdgeEvents = $0 { true } else { false } } == rows.map {
            .requestBothEdgeEvents(offset: $0, activeLow: true, consumer: "lockerd keypad")
        })
        for column in Self.columnNames {
            #expect(driver.level(of: .name(column)) == .low, "\(column) active (active-low)")
        }
        #expect(!driver.calls.contains { if case .readValue = $0 { true } else { false } }, "nothing read at rest")
        #expect(driver.waitTimeouts.allSatisfy { $0 >= .milliseconds(100) }, "long waits, not polling")
        #expect(matrix.pauses.isEmpty)

        // After a key, back at rest: columns driven again and no read since.
        matrix.press("9", holdingForScans: 4)
        await bounded("the keypad to deal with the key") { await driver.waitUntilIdle() }
        let calls = driver.calls
        let lastRead = try #require(calls.lastIndex { if case .readValue = $0 { true } else { false } })
        #expect(Array(calls[(lastRead + 1)...]).filter { if case .setValue = $0 { true } else { false } } == [
            .setValue(offset: columns[2], active: false),
            .setValue(offset: columns[0], active: true),
            .setValue(offset: columns[1], active: true),
            .setValue(offset: columns[2], active: true),
        ])
        #expect(running.handler.events == [.key(.digit(9))])
        try await running.stop()
    }

    // MARK: - Leaving

    @Test func cancellingAtRestLeavesTheColumnsInactiveAndEveryLineReleased() async throws {
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix), on: matrix)

        try await running.stop()

        expectEverythingGivenBack(matrix.driver)
    }

    @Test func cancellingInTheMiddleOfAScanLeavesTheColumnsInactiveAndEveryLineReleased() async throws {
        let matrix = KeypadMatrix()
        let heldPause = GPIOPulseHeldUntilCancelled()
        let running = await start(try keypad(matrix, pause: heldPause.sleep), on: matrix)

        matrix.press("8", holdingForScans: 100)
        await bounded("the first scan") { await heldPause.pulseStarted() }
        try await running.stop()

        expectEverythingGivenBack(matrix.driver)
        #expect(running.handler.events.isEmpty, "one scan is not enough to count")
    }

    @Test func aPauseThatFailsEndsTheLoopWithItsErrorAndGivesEverythingBack() async throws {
        struct PauseBroke: Error {}
        let matrix = KeypadMatrix()
        let running = await start(try keypad(matrix, pause: { _ in throw PauseBroke() }), on: matrix)

        matrix.press("4", holdingForScans: 10)

        await #expect(throws: PauseBroke.self) { try await boundedRun("run to fail") { try await running.task.value } }
        expectEverythingGivenBack(matrix.driver)
    }

    func expectEverythingGivenBack(_ driver: ScriptedGPIOLineDriver, sourceLocation: SourceLocation = #_sourceLocation) {
        for column in Self.columnNames {
            #expect(driver.level(of: .name(column)) == .high, "\(column) inactive (active-low)", sourceLocation: sourceLocation)
            #expect(driver.values(setOn: .name(column)).last == false, sourceLocation: sourceLocation)
        }
        for line in Self.rowNames + Self.columnNames {
            #expect(!driver.isRequested(.name(line)), "\(line) released", sourceLocation: sourceLocation)
        }
        #expect(!driver.isChipOpen, sourceLocation: sourceLocation)
    }

    // MARK: - Errors

    @Test func aLineThatCannotBeRequestedIsAnErrorNamingItAndNothingStaysTaken() async throws {
        let matrix = KeypadMatrix()
        matrix.driver.holdLine(.name("ROW3"), by: "doorwatch")
        let keypad = try keypad(matrix)

        let error = await #expect(throws: HardwareError.self) {
            try await boundedRun("run to fail") { try await keypad.run(delivering: GPIORecordingHandler()) }
        }

        guard case .io(let device, let operation, let detail)? = error else {
            Issue.record("expected an I/O error, got \(String(describing: error))")
            return
        }
        #expect(device == "line \"ROW3\" (offset 2) of gpiochip0, row 3 of keypad \"front panel\"")
        #expect(operation == "requesting edge events")
        #expect(detail.hasPrefix("Device or resource busy (EBUSY); the line is held by \"doorwatch\""))
        for line in Self.rowNames + Self.columnNames where line != "ROW3" {
            #expect(!matrix.driver.isRequested(.name(line)), "\(line) released")
        }
        #expect(!matrix.driver.isChipOpen)
    }

    @Test func aMissingLineIsAnErrorNamingIt() async throws {
        let matrix = KeypadMatrix()
        var configuration = Self.configuration
        configuration.columns[1] = .name("COL9")
        let keypad = try keypad(matrix, configuration: configuration)

        let error = await #expect(throws: HardwareError.self) {
            try await boundedRun("run to fail") { try await keypad.run(delivering: GPIORecordingHandler()) }
        }

        #expect(error.map { "\($0)" }?.hasPrefix(
            "device line \"COL9\" of gpiochip0, column 2 of keypad \"front panel\" is missing"
        ) == true)
        #expect(!matrix.driver.isRequested(.name("COL1")))
    }

    @Test func aBadConfigurationIsRefusedBeforeAnyLineIsTouched() throws {
        let matrix = KeypadMatrix()
        var configuration = Self.configuration
        configuration.layout = .fourByFour
        configuration.rows.append(.name("COL1"))
        configuration.debounceScans = 0

        let error = #expect(throws: HardwareError.self) { try keypad(matrix, configuration: configuration) }

        #expect(error.map { "\($0)" } == "checking the configuration on keypad \"front panel\" failed: "
            + "its layout is 4 columns by 4 rows, but 3 column and 5 row lines are configured; "
            + "line \"COL1\" is configured more than once; its debounce must be at least one scan")
        #expect(matrix.driver.calls.isEmpty)
    }

    @Test func theSameLineByNameAndByOffsetIsRefused() async throws {
        let matrix = KeypadMatrix()
        var configuration = Self.configuration
        configuration.columns[2] = .offset(0)  // ROW1
        let keypad = try keypad(matrix, configuration: configuration)

        let error = await #expect(throws: HardwareError.self) {
            try await boundedRun("run to fail") { try await keypad.run(delivering: GPIORecordingHandler()) }
        }

        #expect(error.map { "\($0)" } == "assigning lines on line \"ROW1\" (offset 0) of gpiochip0 failed: "
            + "the line is configured both as column 3 of keypad \"front panel\" and as row 1 of keypad \"front panel\"")
        #expect(!matrix.driver.isChipOpen)
    }
}

extension GPIOMatrixKeypadTests {
    /// A keypad matrix on the scripted chip: rows pulled up, each pressed key connecting its row to its
    /// column (when the column is driven low, the row reads low). Its `pause` stands for the time
    /// between two scans: it counts them and lifts the finger when a press has lasted long enough.
    final class KeypadMatrix: Sendable {
        /// Bounds a keypad that would scan forever, so a broken loop fails the test instead of hanging it.
        static let maximumPauses = 10_000

        private struct State {
            var pressed: Set<MatrixKeypadDecoder.Contact> = []
            var scansLeft = 0
            var pauses: [Duration] = []
        }

        let driver: ScriptedGPIOLineDriver
        let rowNames: [String]
        let columnNames: [String]
        let layout: MatrixKeypadDecoder.Layout
        private let state = Mutex(State())

        init(
            rowNames: [String] = GPIOMatrixKeypadTests.rowNames,
            columnNames: [String] = GPIOMatrixKeypadTests.columnNames,
            layout: MatrixKeypadDecoder.Layout = .threeByFour
        ) {
            driver = ScriptedGPIOLineDriver(chip: "gpiochip0", label: "test-gpio", lineNames: GPIOMatrixKeypadTests.lineNames)
            self.rowNames = rowNames
            self.columnNames = columnNames
            self.layout = layout
            let rowOffsets = rowNames.map { driver.offset(of: .name($0)) }
            let columnOffsets = columnNames.map { driver.offset(of: .name($0)) }
            driver.setWiring { [weak self] offset, levelOf in
                guard let self, let row = rowOffsets.firstIndex(of: offset) else { return nil }
                let pressed = state.withLock { $0.pressed }
                let pulledLow = pressed.contains { $0.row == row && levelOf(columnOffsets[$0.column]) == .low }
                return pulledLow ? .low : .high
            }
        }

        var pauses: [Duration] { state.withLock { $0.pauses } }

        /// Puts a finger on the keys; they stay pressed for `scans` scans (pauses), then are released.
        func press(_ legends: Set<Character>, holdingForScans scans: Int) {
            let contacts = Set(legends.map { legend in
                guard let contact = layout.contact(of: legend) else { preconditionFailure("no key \(legend)") }
                return contact
            })
            state.withLock {
                $0.pressed = contacts
                $0.scansLeft = scans
            }
            driver.wiringChanged()
        }

        func press(_ legend: Character, holdingForScans scans: Int) {
            press([legend], holdingForScans: scans)
        }

        @Sendable func pause(_ interval: Duration) async throws {
            let released: Bool = try state.withLock { state in
                state.pauses.append(interval)
                guard state.pauses.count <= Self.maximumPauses else { throw ScanningDidNotStop() }
                guard !state.pressed.isEmpty else { return false }
                state.scansLeft -= 1
                guard state.scansLeft <= 0 else { return false }
                state.pressed = []
                return true
            }
            if released { driver.wiringChanged() }
        }

        struct ScanningDidNotStop: Error {}
    }

    /// Runs `body`, recording an issue instead of hanging when it takes longer than `limit`.
    func bounded(
        _ what: String, within limit: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation,
        _ body: @escaping @Sendable () async -> Void
    ) async {
        let finished = await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(done)
            let timer = Task {
                try? await Task.sleep(for: limit)
                once.resume(returning: false)
            }
            Task {
                await body()
                once.resume(returning: true)
                timer.cancel()
            }
        }
        if !finished { Issue.record("waited more than \(limit) for \(what)", sourceLocation: sourceLocation) }
    }

    /// As `bounded`, for a body that throws: its error is rethrown; a timeout is an error of its own.
    func boundedRun<T: Sendable>(
        _ what: String, within limit: Duration = .seconds(10), _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let result = await withCheckedContinuation { (done: CheckedContinuation<Result<T, any Error>?, Never>) in
            let once = ResumeOnce(done)
            let timer = Task {
                try? await Task.sleep(for: limit)
                once.resume(returning: nil)
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                once.resume(returning: result)
                timer.cancel()
            }
        }
        guard let result else { throw TimedOut(what: what, limit: limit) }
        return try result.get()
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        let limit: Duration
        var description: String { "waited more than \(limit) for \(what)" }
    }

    /// A continuation that the first of several racing tasks resumes; the others are ignored.
    final class ResumeOnce<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Value, Never>?>

        init(_ continuation: CheckedContinuation<Value, Never>) {
            self.continuation = Mutex(continuation)
        }

        func resume(returning value: Value) {
            let waiting = continuation.withLock { continuation in
                defer { continuation = nil }
                return continuation
            }
            waiting?.resume(returning: value)
        }
    }
}
