import Foundation
public import LockerHAL
import LockerInput
public import Logging
import LockerSystem

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

    public init(name: String, path: String, keyMap: EvdevKeypadKeyMap = .standard, grab: Bool = true, logger: Logger,
                onOutcome: InputOutcomeObserver? = nil,
                onOpened: (@Sendable () -> Void)? = nil) {
        self.onOpened = onOpened
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
}
