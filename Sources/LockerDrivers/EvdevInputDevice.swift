import CSystemShims
#if canImport(Glibc)
import Glibc
#endif
import LockerHAL
public import LockerInput

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
    private var fd: Int32
    private var decoder: InputEventDecoder

    /// - Parameter grab: take the device for lockerd alone. Only a stand-in that is not an input
    ///   device (a pipe the simulator writes events into) is opened without.
    public init(path: String, grab: Bool = true) throws {
        self.path = path
        let fd = try Int32(SystemCall.run(path, "open") { Int(open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) })
        var name = [CChar](repeating: 0, count: 256)
        let nameLength = lockerd_evdev_name(fd, &name, UInt(name.count))
        if grab {
            if lockerd_evdev_grab(fd, 1) != 0 {
                let code = errno
                Glibc.close(fd)
                switch code {
                case EBUSY:
                    throw HardwareError.io(device: path, operation: "grab (EVIOCGRAB)",
                                           detail: "another process holds the device (a console or another lockerd?)")
                case ENOTTY, EINVAL:
                    throw HardwareError.io(device: path, operation: "grab (EVIOCGRAB)", detail: "not an evdev input device")
                default:
                    throw SystemCall.error(path, "grab (EVIOCGRAB)", errno: code)
                }
            }
        }
        self.fd = fd
        self.deviceName = nameLength > 0 ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        // The kernel writes `struct input_event` with this platform's timeval (16 bytes on 64-bit).
        self.decoder = InputEventDecoder(timevalBytes: MemoryLayout<timeval>.size)
    }

    deinit { close() }

    /// Waits up to `milliseconds` for events and returns those that arrived (none on a timeout).
    /// An unplugged device (ENODEV) or a closed pipe is `HardwareError.deviceMissing`.
    public func read(timeoutMilliseconds milliseconds: Int) throws -> [InputEvent] {
        guard fd >= 0 else { throw HardwareError.deviceMissing(device: path, detail: "the device is closed") }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { throw SystemCall.error(path, "poll", errno: errno) }
            if ready == 0 { return [] }
            break
        }
        // Room for 64 events of either size: a scanner types a long code in one burst.
        var buffer = [UInt8](repeating: 0, count: 64 * 24)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 { return decoder.feed(buffer[..<count]) }
            if count == 0 { throw HardwareError.deviceMissing(device: path, detail: "the device was closed by its writer") }
            if errno == EINTR { continue }
            if errno == EAGAIN { return [] }
            throw SystemCall.error(path, "read", errno: errno)
        }
    }

    /// Gives the grab and the node back. Idempotent.
    public func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }
}
