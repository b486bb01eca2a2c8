import LockerHAL
public import LockerInput
import LockerSystem

/// An evdev node (`/dev/input/event*`) opened for lockerd alone.
///
/// A HID scanner or keypad "types" into whatever reads the keyboard: without `EVIOCGRAB` its codes
/// would also reach a login console on the board, where a scanned string followed by ENTER is a
/// command line. The grab is taken at open and ends when the node is closed (or the process dies).
///
/// Unchecked Sendable: it is opened by the task that starts a reader (so a missing device is an
/// error of `run`), then handed to the reader thread, which alone uses it from then on.
public final class EvdevInputDevice: @unchecked Sendable {
    public let path: String
    /// The name the device reports (EVIOCGNAME), for logs and status; nil for a pipe or file.
    public let deviceName: String?
    private var file: FileDescriptor?
    private var decoder: InputEventDecoder

    /// - Parameter grab: take the device for lockerd alone. Only a stand-in that is not an input
    ///   device (a pipe the simulator writes events into) is opened without.
    public init(path: String, grab: Bool = true) throws {
        self.path = path
        let file = try hardwareCall { () throws(SystemCallError) in try FileDescriptor.open(path, .readOnly, options: .nonBlocking) }
        let name = InputDeviceCalls.deviceName(file)
        // A FIFO is a stand-in another process writes events into (the simulated cabinet, the
        // pickup benchmark): no console reads it, and EVIOCGRAB would fail on it.
        let isStandIn = (try? FileSystemCalls.status(of: path).kind) == .fifo
        if grab && !isStandIn {
            do {
                try InputDeviceCalls.grab(file)
            } catch {
                file.close()
                if error.isBusy {
                    throw HardwareError.io(device: path, operation: "grab (EVIOCGRAB)",
                                           detail: "another process holds the device (a console or another lockerd?)")
                } else if error.isNotSupported {
                    throw HardwareError.io(device: path, operation: "grab (EVIOCGRAB)", detail: "not an evdev input device")
                }
                throw HardwareError(error)
            }
        }
        self.file = file
        self.deviceName = name
        // The kernel writes `struct input_event` with this platform's timeval (16 bytes on 64-bit).
        self.decoder = InputEventDecoder(timevalBytes: InputDeviceCalls.timevalSize)
    }

    deinit { close() }

    /// Waits up to `milliseconds` for events and returns those that arrived (none on a timeout).
    /// An unplugged device (ENODEV) or a closed pipe is `HardwareError.deviceMissing`.
    public func read(timeoutMilliseconds milliseconds: Int) throws -> [InputEvent] {
        guard let file else { throw HardwareError.deviceMissing(device: path, detail: "the device is closed") }
        let ready = try hardwareCall { () throws(SystemCallError) in try file.poll(for: .readable, milliseconds: milliseconds) }
        if ready.isEmpty { return [] }
        return try readReady(file)
    }

    /// Waits with no timeout for events, or for `stop` (then returns none): an idle keypad's
    /// reader thread sleeps until a key is pressed.
    func read(until stop: ReaderStop) throws -> [InputEvent] {
        guard let file else { throw HardwareError.deviceMissing(device: path, detail: "the device is closed") }
        let seen = try hardwareCall { () throws(SystemCallError) in
            try FileDescriptor.poll([file, stop.signal], for: .readable, milliseconds: -1)
        }
        if seen[0].isEmpty { return [] }
        return try readReady(file)
    }

    /// The open descriptor, for a loop thread that polls it itself (nil once closed).
    var descriptor: Int32? { file?.rawValue }

    /// The events already there, without waiting (none if nothing is); the same errors as `read`.
    func readAvailable() throws -> [InputEvent] {
        guard let file else { throw HardwareError.deviceMissing(device: path, detail: "the device is closed") }
        return try readReady(file)
    }

    private func readReady(_ file: FileDescriptor) throws -> [InputEvent] {
        // Room for 64 events of either size: a scanner types a long code in one burst.
        switch try hardwareCall({ () throws(SystemCallError) in try file.read(maximum: 64 * 24) }) {
        case .bytes(let bytes): return decoder.feed(bytes[...])
        case .endOfFile: throw HardwareError.deviceMissing(device: path, detail: "the device was closed by its writer")
        case .wouldBlock: return []
        }
    }

    /// Gives the grab and the node back. Idempotent.
    public func close() {
        file?.close()
        file = nil
    }
}
