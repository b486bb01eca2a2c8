public import LockerHAL
public import Logging

/// A character LCD (HD44780 or compatible, 16x2, 20x4, ...) behind a PCF8574 I2C backpack.
///
/// The LCD is initialised on the first `show`, and again on the `show` after any failed write:
/// a write fails when the display lost power or its cable, and an LCD that comes back has forgotten
/// its 4-bit mode. `show` never throws (the panel goes on without a display); the first failure
/// of a streak is logged as an error, the recovery as a notice.
///
/// Messages are shown one after the other, each complete: a `show` that arrives while another
/// is still writing (or waiting during initialisation) waits its turn.
public actor HD44780Display: Display {
    public nonisolated let name: String
    private let device: any I2CDevice
    private let commands: HD44780Commands
    private let logger: Logger
    private let pause: @Sendable (Duration) async -> Void
    private var isInitialised = false
    private var isFailing = false
    /// The last `show` queued; the next one starts after it.
    private var latest: Task<Void, Never>?

    /// - Parameters:
    ///   - name: how logs name the display ("front panel LCD").
    ///   - pause: waits the LCD needs during initialisation (milliseconds); tests pass one that
    ///     records the duration and returns.
    public init(
        name: String, device: any I2CDevice, commands: HD44780Commands = HD44780Commands(), logger: Logger,
        pause: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }
    ) {
        self.name = name
        self.device = device
        self.commands = commands
        self.logger = logger
        self.pause = pause
    }

    public func show(_ text: String) async {
        let previous = latest
        let turn = Task {
            await previous?.value
            await self.write(text)
        }
        latest = turn
        await turn.value
    }

    private func write(_ text: String) async {
        do {
            if !isInitialised {
                try await perform(commands.initialisation)
                isInitialised = true
            }
            try await perform(commands.steps(showing: text))
            if isFailing {
                isFailing = false
                logger.notice("display works again", metadata: ["display": "\(name)"])
            }
        } catch {
            isInitialised = false
            if !isFailing {
                isFailing = true
                logger.error("display cannot be written; it is initialised again before the next message",
                             metadata: ["display": "\(name)", "error": "\(error)"])
            } else {
                logger.debug("display still cannot be written", metadata: ["display": "\(name)", "error": "\(error)"])
            }
        }
    }

    private func perform(_ steps: [HD44780Commands.Step]) async throws {
        for step in steps {
            switch step {
            case .write(let bytes): try device.write(bytes)
            case .pause(let duration): await pause(duration)
            }
        }
    }
}
