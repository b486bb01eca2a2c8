import CSystemShims
#if canImport(Glibc)
import Glibc
#endif
public import LockerHAL

/// An open serial line in raw mode: bytes in, bytes out, nothing interpreted.
///
/// Raw 8-bit mode with the configured speed and parity, exclusive (`TIOCEXCL`: a second process
/// cannot open the adapter and garble the bus), non-blocking with `poll` for timeouts. An adapter
/// that is unplugged shows up as EIO or a hang-up: reads then throw `HardwareError.deviceMissing`
/// and the owner reopens the port when the device is back.
public final class SerialPort: ByteLink, @unchecked Sendable {
    // Unchecked: `fd` is set once in init and closed once in `close()`; the bus that owns the port
    // serialises every read and write (one transaction at a time on a half-duplex line).
    public let configuration: SerialPortConfiguration
    private var fd: Int32

    public init(_ configuration: SerialPortConfiguration) throws {
        self.configuration = configuration
        let path = configuration.path
        guard let speed = configuration.speed else {
            throw HardwareError.io(device: path, operation: "configure", detail: "\(configuration.baud) baud is not a standard rate")
        }
        fd = Int32(try SystemCall.run(path, "open") { Int(open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) })
        do {
            try SystemCall.run(path, "claim exclusive access (TIOCEXCL)") { Int(lockerd_tty_set_exclusive(fd)) }
            // TIOCEXCL does not stop a privileged process; an advisory lock also keeps a second
            // lockerd (or a tool that honours locks) off the bus, whoever runs it.
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                throw HardwareError.io(device: path, operation: "lock the line", detail: errno == EWOULDBLOCK
                    ? "another process is using it" : String(cString: strerror(errno)))
            }
            var options = termios()
            try SystemCall.run(path, "read line settings") { Int(tcgetattr(fd, &options)) }
            cfmakeraw(&options)
            options.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD)
            options.c_cflag &= ~(tcflag_t(CSTOPB) | tcflag_t(CRTSCTS) | tcflag_t(PARENB) | tcflag_t(PARODD))
            switch configuration.parity {
            case .none: break
            case .even: options.c_cflag |= tcflag_t(PARENB)
            case .odd: options.c_cflag |= tcflag_t(PARENB) | tcflag_t(PARODD)
            }
            cfsetispeed(&options, speed_t(speed))
            cfsetospeed(&options, speed_t(speed))
            try SystemCall.run(path, "apply line settings") { Int(tcsetattr(fd, TCSANOW, &options)) }
            // Where the adapter supports it: most USB adapters switch direction by themselves and
            // answer ENOTTY or EINVAL, which is fine; any other error is a real failure.
            if configuration.kernelRS485, lockerd_tty_enable_rs485(fd, 0, 0) != 0, errno != ENOTTY, errno != EINVAL {
                throw SystemCall.error(path, "enable RS-485 direction control (TIOCSRS485)", errno: errno)
            }
            tcflush(fd, TCIOFLUSH)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    deinit { close() }

    public func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        let path = configuration.path
        var offset = 0
        while offset < bytes.count {
            guard fd >= 0 else { throw HardwareError.deviceMissing(device: path, detail: "port is closed") }
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    // A line that will not take bytes for a second is as good as gone.
                    guard try wait(for: Int16(POLLOUT), milliseconds: 1_000, operation: "write") else {
                        throw HardwareError.deviceMissing(device: path, detail: "the line accepted no data for 1 s")
                    }
                    continue
                }
                throw SystemCall.error(path, "write", errno: errno == EIO ? ENODEV : errno)
            }
            offset += written
        }
    }

    /// Reads what is available, waiting at most `milliseconds` for the first byte. Returns [] on
    /// timeout; throws when the adapter is gone.
    public func read(timeoutMilliseconds milliseconds: Int, maximum: Int = 512) throws -> [UInt8] {
        let path = configuration.path
        guard fd >= 0 else { throw HardwareError.deviceMissing(device: path, detail: "port is closed") }
        guard try wait(for: Int16(POLLIN), milliseconds: milliseconds, operation: "read") else { return [] }
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, maximum) }
            if count > 0 { return Array(buffer[..<count]) }
            if count == 0 { throw HardwareError.deviceMissing(device: path, detail: "the line hung up (adapter unplugged?)") }
            if errno == EINTR { continue }
            if errno == EAGAIN { return [] }
            throw SystemCall.error(path, "read", errno: errno == EIO ? ENODEV : errno)
        }
    }

    @discardableResult
    private func wait(for events: Int16, milliseconds: Int, operation: String) throws -> Bool {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let ready = poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { throw SystemCall.error(configuration.path, operation, errno: errno) }
            if ready == 0 { return false }
            if descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 && descriptor.revents & events == 0 {
                throw HardwareError.deviceMissing(device: configuration.path, detail: "the line hung up (adapter unplugged?)")
            }
            return true
        }
    }
}
