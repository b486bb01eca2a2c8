import Foundation
public import LockerHAL
public import LockerInput
public import Logging
import LockerSystem

/// A barcode/QR scanner in USB HID keyboard mode, read through evdev: it "types" each code and
/// presses ENTER. The node is grabbed (see `EvdevInputDevice`), key events are translated with the
/// configured keyboard layout, and each code becomes a `.scan` named after the scanner. A code
/// with a key the layout does not know, or too long, is refused with its reason in the log.
public final class EvdevScanner: HardwareEventSource {
    public let name: String
    public let path: String
    let layout: KeyboardLayout
    let grab: Bool
    let logger: Logger
    let onOutcome: InputOutcomeObserver?
    let onOpened: (@Sendable () -> Void)?

    public init(name: String, path: String, layout: KeyboardLayout = .us, grab: Bool = true, logger: Logger,
                onOutcome: InputOutcomeObserver? = nil,
                onOpened: (@Sendable () -> Void)? = nil) {
        self.onOpened = onOpened
        self.name = name
        self.path = path
        self.layout = layout
        self.grab = grab
        self.logger = logger
        self.onOutcome = onOutcome
    }

    public func run(delivering handler: any HardwareEventHandler) async throws {
        let device = try EvdevInputDevice(path: path, grab: grab)
        onOpened?()
        logger.info("HID scanner opened", metadata: ["scanner": "\(name)", "device": "\(path)", "device.name": "\(device.deviceName ?? "-")"])
        let layout = self.layout
        let (outputs, stop) = ReaderThread.start(name: "scanner \(name)") { (stop, yield: (KeyEventTranslator.Output) -> Void) in
            defer { device.close() }
            var translator = KeyEventTranslator(layout: layout)
            while !stop.isRequested {
                for event in try device.read(until: stop) {
                    if let output = translator.handle(event) { yield(output) }
                }
            }
        }
        defer { stop() }
        try await withTaskCancellationHandler {
            for try await output in outputs {
                switch output {
                case .code(let text):
                    await handler.handle(.scan(text, scanner: name))
                    onOutcome?(.delivered)
                case .refused(let reason):
                    logger.notice("scan refused", metadata: ["scanner": "\(name)", "reason": "\(reason)"])
                    onOutcome?(.refused(reason: reason))
                }
            }
        } onCancel: {
            stop()
        }
    }
}
