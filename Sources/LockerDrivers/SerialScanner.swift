import Foundation
public import LockerHAL
import LockerInput
public import Logging
import Synchronization

/// A barcode/QR scanner on a serial line (USB CDC: `/dev/ttyACM*`, best through a stable
/// `/dev/locker/...` udev symlink). Its codes become `.scan` events named after the scanner;
/// over-long or binary lines are refused with the reason in the log and never reach the panel.
///
/// The line is read on a thread of its own (a blocking read must not hold one of the few shared
/// threads). An unplugged scanner ends `run` with the device error; the supervisor starts it
/// again, which opens the device as soon as it is back.
public final class SerialScanner: HardwareEventSource {
    public let name: String
    let configuration: SerialPortConfiguration
    let logger: Logger

    public init(name: String, configuration: SerialPortConfiguration, logger: Logger) {
        self.name = name
        self.configuration = configuration
        self.logger = logger
    }

    public func run(delivering handler: any HardwareEventHandler) async throws {
        let port = try SerialPort(configuration)
        let stopped = StopFlag()
        let (codes, continuation) = AsyncThrowingStream.makeStream(of: String.self)
        let name = self.name, logger = self.logger
        let reader = Thread {
            var framer = ScannerLineFramer()
            do {
                while !stopped.value.withLock({ $0 }) {
                    for output in framer.feed(try port.read(timeoutMilliseconds: 200)) {
                        switch output {
                        case .code(let text): continuation.yield(text)
                        case .refused(let reason):
                            logger.notice("scan refused", metadata: ["scanner": "\(name)", "reason": "\(reason)"])
                        }
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            port.close()
        }
        reader.start()
        defer { stopped.value.withLock { $0 = true } }
        try await withTaskCancellationHandler {
            for try await code in codes {
                await handler.handle(.scan(code, scanner: name))
            }
        } onCancel: {
            stopped.value.withLock { $0 = true }
        }
    }

    private final class StopFlag: Sendable {
        let value = Mutex(false)
    }
}
