import Foundation
public import LockerHAL
import LockerInput
public import Logging
import LockerSystem

/// A barcode/QR scanner on a serial line (USB CDC: `/dev/ttyACM*`, best through a stable
/// `/dev/locker/...` udev symlink). Its codes become `.scan` events named after the scanner;
/// over-long or binary lines are refused with the reason in the log and never reach the panel.
///
/// The line is read on a thread of its own (see `ReaderThread`). An unplugged scanner ends `run`
/// with the device error; its supervisor opens the device again as soon as it is back.
public final class SerialScanner: HardwareEventSource {
    public let name: String
    let configuration: SerialPortConfiguration
    let logger: Logger
    let onOutcome: InputOutcomeObserver?
    let onOpened: (@Sendable () -> Void)?

    /// - Parameter onOpened: called once the line is open and configured, so a supervisor says
    ///   "in use" only for a device that really is.
    public init(name: String, configuration: SerialPortConfiguration, logger: Logger, onOutcome: InputOutcomeObserver? = nil,
                onOpened: (@Sendable () -> Void)? = nil) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
        self.onOutcome = onOutcome
        self.onOpened = onOpened
    }

    public func run(delivering handler: any HardwareEventHandler) async throws {
        let port = try SerialPort(configuration)
        onOpened?()
        let (outputs, stop) = ReaderThread.start(name: "scanner \(name)") { (stop, yield: (ScannerLineFramer.Output) -> Void) in
            defer { port.close() }
            var framer = ScannerLineFramer()
            while !stop.isRequested {
                for output in framer.feed(try port.read(until: stop)) { yield(output) }
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
