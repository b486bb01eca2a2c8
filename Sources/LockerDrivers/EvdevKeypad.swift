import Foundation
public import LockerHAL
import LockerInput
public import Logging
public import LockerSystem
import Synchronization

/// A USB HID numeric keypad read through evdev (grabbed, see `EvdevInputDevice`). Each key press
/// becomes a `.key`; releases and autorepeat are dropped, so holding a key types it once. The
/// idle timeout that clears a half-typed code is the panel's (`PanelStateMachine`), not the
/// keypad's: it applies the same to every keypad.
public final class EvdevKeypad: HardwareEventSource {
    public let name: String
    public let path: String
    let keyMap: EvdevKeypadKeyMap
    let grab: Bool
    let logger: Logger
    let onOutcome: InputOutcomeObserver?
    let onOpened: (@Sendable () -> Void)?
    let loop: DedicatedThreadExecutor?

    /// - Parameter loop: the thread of the loop the keys go to (the cabinet loop's), which then
    ///   reads the keypad itself: the last key of a pickup code is handled by the thread the
    ///   kernel woke for it, with no hand-over between threads (about 120 µs of the pickup on a
    ///   2-core VM). Nil, or with `onOutcome`: a reader thread of its own.
    public init(name: String, path: String, keyMap: EvdevKeypadKeyMap = .standard, grab: Bool = true, logger: Logger,
                onOutcome: InputOutcomeObserver? = nil,
                onOpened: (@Sendable () -> Void)? = nil, readOn loop: DedicatedThreadExecutor? = nil) {
        self.onOpened = onOpened
        self.loop = loop
        self.name = name
        self.path = path
        self.keyMap = keyMap
        self.grab = grab
        self.logger = logger
        self.onOutcome = onOutcome
    }

    public func run(delivering handler: any HardwareEventHandler) async throws {
        let device = try EvdevInputDevice(path: path, grab: grab)
        onOpened?()
        logger.info("HID keypad opened", metadata: ["keypad": "\(name)", "device": "\(path)", "device.name": "\(device.deviceName ?? "-")"])
        let (keyMap, name, logger) = (self.keyMap, self.name, self.logger)
        // Straight from the reader thread into a queue when nobody needs to know a key was handled
        // (only the simulator does): the last key of a pickup code is on the unlock's path.
        let queue = onOutcome == nil ? handler as? any HardwareEventQueue : nil
        if let loop, let queue {
            try await Self.read(device, on: loop, into: queue, keyMap: keyMap, name: name, logger: logger)
            return
        }
        let (presses, stop) = ReaderThread.start(name: "keypad \(name)") { (stop, yield: (EvdevKeypadKeyMap.Press) -> Void) in
            defer { device.close() }
            while !stop.isRequested {
                for event in try device.read(until: stop) {
                    guard let press = keyMap.press(in: event) else { continue }
                    if let queue, case .key(let key) = press {
                        queue.post(.key(key))
                    } else {
                        yield(press)
                    }
                }
            }
        }
        defer { stop() }
        try await withTaskCancellationHandler {
            for try await press in presses {
                switch press {
                case .key(let key):
                    await handler.handle(.key(key))
                    onOutcome?(.delivered)
                case .unmapped(let code):
                    logger.debug("keypad key not mapped", metadata: ["keypad": "\(name)", "key.code": "\(code)"])
                    onOutcome?(.ignored)
                }
            }
        } onCancel: {
            stop()
        }
    }

    /// What a watched keypad's read ended with, and its watch, shared by the loop thread's
    /// handlers and the task that waits for the end.
    private final class Watched: Sendable {
        struct State {
            var id: UInt64?
            var failure: (any Error)?
            /// The read failed, or the task was cancelled, before the watch's id was known.
            var endBeforeID = false
        }
        let state = Mutex(State())
    }

    /// Reads the keypad on `loop`'s own thread until the device goes (thrown) or the task is
    /// cancelled (returns). The device is read and closed on that thread only.
    private static func read(
        _ device: EvdevInputDevice, on loop: DedicatedThreadExecutor, into queue: any HardwareEventQueue,
        keyMap: EvdevKeypadKeyMap, name: String, logger: Logger
    ) async throws {
        guard let descriptor = device.descriptor else {
            throw HardwareError.deviceMissing(device: device.path, detail: "the device is closed")
        }
        let watched = Watched()
        let end: @Sendable () -> Void = {
            let id = watched.state.withLock { state -> UInt64? in
                if state.id == nil { state.endBeforeID = true }
                return state.id
            }
            if let id { loop.unwatch(id) }
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (ended: CheckedContinuation<Void, any Error>) in
                let id = loop.watch(descriptor, onReadable: {
                    do {
                        for event in try device.readAvailable() {
                            switch keyMap.press(in: event) {
                            case .key(let key)?: queue.post(.key(key))
                            case .unmapped(let code)?: logger.debug("keypad key not mapped", metadata: ["keypad": "\(name)", "key.code": "\(code)"])
                            case nil: continue
                            }
                        }
                    } catch {
                        watched.state.withLock { $0.failure = error }
                        end()
                    }
                }, onRemoved: {
                    device.close()
                    if let failure = watched.state.withLock({ $0.failure }) {
                        ended.resume(throwing: failure)
                    } else {
                        ended.resume()
                    }
                })
                let endedEarly = watched.state.withLock { state -> Bool in
                    state.id = id
                    return state.endBeforeID || Task.isCancelled
                }
                if endedEarly { loop.unwatch(id) }
            }
        } onCancel: {
            end()
        }
    }
}
