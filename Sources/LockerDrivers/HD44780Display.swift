import Foundation
public import LockerHAL
public import Logging
import Synchronization

/// A character LCD (HD44780 or compatible, 16x2, 20x4, ...) behind a PCF8574 I2C backpack.
///
/// `show` returns at once: the cabinet's controller calls it from its one event loop, and an
/// i2c-dev write blocks (for the adapter's timeout, on a bus with nothing answering), which would
/// hold up keys, scans and door events. The message is handed to a writer thread of the display's
/// own, so that no blocked write ever holds one of the threads Swift concurrency shares. Only the
/// newest message waits for the writer: one that arrives before the previous one was started
/// replaces it, as a person at the cabinet only needs to read the newest. Each message is written
/// whole, never interleaved with another.
///
/// The LCD is initialised before the first message, and again before the message after any
/// failed write: a write fails when the display lost power or its cable, and an LCD that comes
/// back has forgotten its 4-bit mode. `show` never throws (the panel goes on without a display);
/// the first failure of a streak is logged as an error, the recovery as a notice.
public final class HD44780Display: Display, Sendable {
    public let name: String
    private let queue: NewestMessageQueue

    /// - Parameters:
    ///   - name: how logs name the display ("front panel LCD").
    ///   - pause: waits the LCD needs during initialisation (milliseconds), taken on the writer
    ///     thread; nil sleeps. Tests pass one that records the duration and returns.
    public init(
        name: String, device: any I2CDevice, commands: HD44780Commands = HD44780Commands(), logger: Logger,
        pause: (@Sendable (Duration) -> Void)? = nil
    ) {
        self.name = name
        queue = NewestMessageQueue()
        let writer = Writer(name: name, device: device, commands: commands, logger: logger, pause: pause ?? Self.sleep)
        let queue = queue
        // The thread holds the queue and the writer, never the display: the display's deinit is
        // what tells it to stop.
        let thread = Thread {
            while let text = queue.next() {
                writer.write(text)
            }
        }
        thread.name = "display \(name)"
        thread.start()
    }

    deinit {
        queue.stop()
    }

    /// Hands `text` to the writer and returns without waiting for it to be written.
    public func show(_ text: String) async {
        queue.put(text)
    }

    /// Returns once every message shown so far has been written (or superseded), or when the
    /// calling task is cancelled. For tests and for an orderly shutdown.
    public func untilIdle() async {
        await queue.untilIdle()
    }

    /// A plain sleep: the pauses are taken on the display's own thread.
    private static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Writes messages to the LCD; used only on the writer thread, so its state needs no lock.
    private final class Writer: @unchecked Sendable {
        let name: String
        let device: any I2CDevice
        let commands: HD44780Commands
        let logger: Logger
        let pause: @Sendable (Duration) -> Void
        private var isInitialised = false
        private var isFailing = false

        init(name: String, device: any I2CDevice, commands: HD44780Commands, logger: Logger,
             pause: @escaping @Sendable (Duration) -> Void) {
            self.name = name
            self.device = device
            self.commands = commands
            self.logger = logger
            self.pause = pause
        }

        func write(_ text: String) {
            do {
                if !isInitialised {
                    try perform(commands.initialisation)
                    isInitialised = true
                }
                try perform(commands.steps(showing: text))
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

        private func perform(_ steps: [HD44780Commands.Step]) throws {
            for step in steps {
                switch step {
                case .write(let bytes): try device.write(bytes)
                case .pause(let duration): pause(duration)
                }
            }
        }
    }
}

/// The one message waiting for the writer thread (a newer one replaces it), and who waits for the
/// writer to have nothing left to do.
private final class NewestMessageQueue: Sendable {
    private struct State {
        var pending: String?
        var isWriting = false
        var isStopped = false
        var idleWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0

        var isIdle: Bool { pending == nil && !isWriting }
    }

    private let state = Mutex(State())
    /// Signalled once per `put` and by `stop`; the writer may find a signal's message already
    /// taken (it took a newer one), which costs one extra look.
    private let wakeUp = DispatchSemaphore(value: 0)

    func put(_ text: String) {
        state.withLock { $0.pending = text }
        wakeUp.signal()
    }

    func stop() {
        state.withLock { $0.isStopped = true }
        wakeUp.signal()
    }

    /// For the writer thread: blocks until there is a message, and returns it; nil once stopped
    /// with nothing left to write. The previous message counts as written when this is called.
    func next() -> String? {
        while true {
            let (text, isStopped, waiters) = state.withLock { state in
                state.isWriting = false
                if let text = state.pending {
                    state.pending = nil
                    state.isWriting = true
                    return (text as String?, state.isStopped, [CheckedContinuation<Void, Never>]())
                }
                let waiters = Array(state.idleWaiters.values)
                state.idleWaiters = [:]
                return (nil, state.isStopped, waiters)
            }
            for waiter in waiters { waiter.resume() }
            if let text { return text }
            if isStopped { return nil }
            wakeUp.wait()
        }
    }

    func untilIdle() async {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isIdle = state.withLock { state in
                    if state.isIdle || Task.isCancelled { return true }
                    state.idleWaiters[id] = continuation
                    return false
                }
                if isIdle { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.idleWaiters.removeValue(forKey: id) }?.resume()
        }
    }
}
