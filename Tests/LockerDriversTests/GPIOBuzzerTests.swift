#if canImport(Glibc)
import Glibc
#endif
import LockerDrivers
import LockerTesting
import LockerHAL
import Logging
import Synchronization
import Testing

/// The buzzer on a scripted GPIO line: patterns become the line's on/off rhythm, a new pattern
/// cuts the running one short, and the line is silent whenever nothing plays.
@Suite struct GPIOBuzzerTests {
    static let names: [String?] = ["BUZZER"]
    static let line = GPIOLineAddress.name("BUZZER")

    static var logger: Logger {
        var logger = Logger(label: "test.buzzer")
        logger.logLevel = .critical
        return logger
    }

    /// Records each pause and returns at once, except pauses of `holdFrom` or longer, which stay
    /// suspended until their task is cancelled.
    final class ScriptedPause: Sendable {
        let holdFrom: Duration
        private let requested = Mutex<[Duration]>([])

        init(holdFrom: Duration = .seconds(3_600)) {
            self.holdFrom = holdFrom
        }

        var durations: [Duration] { requested.withLock { $0 } }

        @Sendable func pause(_ duration: Duration) async throws {
            requested.withLock { $0.append(duration) }
            guard duration >= holdFrom else { return }
            let (never, keepOpen) = AsyncStream<Never>.makeStream()
            for await _ in never {}  // ends when the task is cancelled
            keepOpen.finish()
            try Task.checkCancellation()
        }

        /// Waits (a bounded number of tiny steps) until `count` pauses were requested.
        func waitForPauses(_ count: Int) async throws {
            for _ in 0..<2_000 where durations.count < count {
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    static func buzzer(_ driver: ScriptedGPIOLineDriver, _ pause: ScriptedPause) throws -> GPIOBuzzer {
        try GPIOBuzzer(name: "panel", chip: "gpiochip0", line: line, driver: driver, logger: logger, pause: pause.pause)
    }

    @Test func theLineIsRequestedSilentFromTheFirstInstant() throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        _ = try Self.buzzer(driver, ScriptedPause())
        #expect(driver.calls.contains(.requestOutput(offset: 0, activeLow: false, initiallyActive: false, consumer: "lockerd buzzer panel")))
        #expect(driver.level(of: Self.line) == .low)
        #expect(driver.values(setOn: Self.line).isEmpty)
    }

    @Test(arguments: [BuzzerPattern.confirm, .error, .reminder, .alarm])
    func eachPatternDrivesTheLineInItsRhythmAndEndsSilent(pattern: BuzzerPattern) async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let pause = ScriptedPause()
        let buzzer = try Self.buzzer(driver, pause)
        await buzzer.play(pattern)
        await buzzer.untilSilent()
        #expect(driver.values(setOn: Self.line) == pattern.steps.map(\.on) + [false])
        #expect(pause.durations == pattern.steps.map(\.duration))
        #expect(driver.level(of: Self.line) == .low)
        await buzzer.close()
    }

    @Test func thePatternsHaveTheirRhythms() {
        #expect(BuzzerPattern.confirm.steps == [.init(on: true, .milliseconds(80))])
        #expect(BuzzerPattern.error.steps.filter(\.on).count == 3)
        #expect(BuzzerPattern.reminder.steps.filter(\.on).count == 2)
        let alarm = BuzzerPattern.alarm.steps
        #expect(alarm.reduce(Duration.zero) { $0 + $1.duration } >= .seconds(3), "long enough to be noticed")
        for pattern in [BuzzerPattern.confirm, .error, .reminder, .alarm] {
            let steps = pattern.steps
            #expect(steps.first?.on == true && steps.last?.on == true, "\(pattern) starts and ends with a beep")
            #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.on != $1.on }, "\(pattern) alternates")
            #expect(steps.allSatisfy { $0.duration > .zero })
        }
        #expect(BuzzerPattern.alarm.steps.filter(\.on).allSatisfy { $0.duration > BuzzerPattern.error.steps[0].duration })
    }

    @Test func aNewPatternCutsTheRunningOneShortAndTheLineEndsSilent() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let pause = ScriptedPause(holdFrom: .milliseconds(500))  // the alarm's beeps are held
        let buzzer = try Self.buzzer(driver, pause)
        await buzzer.play(.alarm)
        try await pause.waitForPauses(1)
        #expect(driver.level(of: Self.line) == .high, "the alarm sounds")

        await buzzer.play(.confirm)  // returns at once, while the alarm is still held
        await buzzer.untilSilent()
        #expect(driver.values(setOn: Self.line) == [true, false, true, false], "alarm silenced, then one short beep")
        #expect(driver.level(of: Self.line) == .low)
        #expect(pause.durations == [.milliseconds(700), .milliseconds(80)])
        await buzzer.close()
    }

    @Test func playReturnsAtOnceWhileThePatternRuns() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let pause = ScriptedPause(holdFrom: .zero)  // every pause held until cancelled
        let buzzer = try Self.buzzer(driver, pause)
        await buzzer.play(.reminder)
        try await pause.waitForPauses(1)
        #expect(pause.durations == [.milliseconds(250)], "play returned with the first beep still sounding")
        await buzzer.close()
        #expect(driver.level(of: Self.line) == .low)
    }

    @Test func closeSilencesAndReleasesTheLine() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let pause = ScriptedPause(holdFrom: .zero)
        let buzzer = try Self.buzzer(driver, pause)
        await buzzer.play(.alarm)
        try await pause.waitForPauses(1)
        await buzzer.close()
        #expect(driver.level(of: Self.line) == .low)
        #expect(!driver.isRequested(Self.line))
        #expect(!driver.isChipOpen)
        #expect(driver.calls.suffix(2) == [.release(offset: 0), .closeChip])

        let callsAfterClose = driver.calls.count
        await buzzer.play(.confirm)
        await buzzer.untilSilent()
        await buzzer.close()
        #expect(driver.calls.count == callsAfterClose, "a closed buzzer plays nothing and closes once")
    }

    @Test func aFailingLineIsLoggedOnceAndThePatternStillEndsSilent() async throws {
        let driver = ScriptedGPIOLineDriver(lineNames: Self.names)
        let log = GPIOCapturedLog()
        let buzzer = try GPIOBuzzer(name: "panel", chip: "gpiochip0", line: Self.line, driver: driver, logger: log.logger,
                                    pause: ScriptedPause().pause)
        driver.failSetValue(of: Self.line, toActive: true, errno: EIO, times: 3)
        await buzzer.play(.error)
        await buzzer.untilSilent()
        #expect(log.lines.filter { $0.level == .error }.count == 1)
        #expect(driver.level(of: Self.line) == .low)
        await buzzer.play(.confirm)
        await buzzer.untilSilent()
        #expect(log.lines.filter { $0.level == .notice }.count == 1, "the recovery is logged")
        await buzzer.close()
    }
}
