public import LockerHAL
public import Logging

/// An active buzzer on one GPIO output line (through a transistor): the line on means sound.
///
/// The line is requested silent from the first instant. `play` starts a pattern and returns at
/// once (the panel never waits for a beep); a new `play` cuts the running pattern short, and the
/// line is silent before the new one starts and after every pattern, however it ended. `close`
/// silences the buzzer and releases the line. A failing line is logged once per failure streak.
public actor GPIOBuzzer: Buzzer {
    public nonisolated let name: String
    private let driver: any GPIOLineDriver
    private let chip: GPIOChipHandle
    private let line: GPIOLineHandle
    private let logger: Logger
    private let pause: @Sendable (Duration) async throws -> Void
    private var playing: Task<Void, Never>?
    private var isSounding = false
    private var isFailing = false
    private var isOpen = true

    /// - Parameter pause: waits for each step's duration and throws when the task is cancelled
    ///   (so a pre-empted pattern stops at once); tests pass one that does not sleep.
    public init(
        name: String, chip chipName: String, line address: GPIOLineAddress, activeLow: Bool = false,
        driver: any GPIOLineDriver = LibgpiodV1LineDriver(), logger: Logger,
        pause: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) throws {
        self.name = name
        self.driver = driver
        self.logger = logger
        self.pause = pause
        let chip = try driver.openChip(chipName)
        do {
            let line = try driver.findLine(address, on: chip)
            try driver.requestOutput(line, activeLow: activeLow, initiallyActive: false, consumer: "lockerd buzzer \(name)")
            self.line = line
        } catch {
            driver.closeChip(chip)
            throw error
        }
        self.chip = chip
    }

    public func play(_ pattern: BuzzerPattern) async {
        guard isOpen else { return }
        let previous = playing
        previous?.cancel()
        playing = Task {
            // The cut-short pattern silences the line first, so the two never drive it together.
            await previous?.value
            await self.perform(pattern.steps)
        }
    }

    /// Returns once nothing is playing (a pattern started meanwhile is waited for too).
    public func untilSilent() async {
        while let current = playing {
            await current.value
            if playing == current { return }
        }
    }

    /// Silences the buzzer and gives the line back. Idempotent; later patterns are not played.
    public func close() async {
        guard isOpen else { return }
        isOpen = false
        playing?.cancel()
        await untilSilent()
        drive(false)
        driver.release(line)
        driver.closeChip(chip)
    }

    private func perform(_ steps: [BuzzerPattern.Step]) async {
        var allSet = true
        for step in steps {
            if Task.isCancelled { break }
            allSet = drive(step.on) && allSet
            do {
                try await pause(step.duration)
            } catch {
                break
            }
        }
        if isSounding { allSet = drive(false) && allSet }
        // A streak ends with a pattern played without a failure: a line that fails one way only
        // would otherwise be logged at every beep.
        if allSet && isFailing {
            isFailing = false
            logger.notice("buzzer works again", metadata: ["buzzer": "\(name)"])
        }
    }

    /// False when the line could not be set (logged at the first failure of a streak).
    @discardableResult
    private func drive(_ sounding: Bool) -> Bool {
        do {
            try driver.setValue(sounding, of: line)
            isSounding = sounding
            return true
        } catch {
            // Still counted as sounding when switching off failed: the end of the pattern tries again.
            if sounding == false { isSounding = true }
            if !isFailing {
                isFailing = true
                logger.error("buzzer line cannot be set", metadata: ["buzzer": "\(name)", "error": "\(error)"])
            }
            return false
        }
    }
}
