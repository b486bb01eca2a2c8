import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// The termios and ioctl side of a serial line: raw 8-bit mode at a standard speed with a parity,
/// exclusive use, and kernel RS-485 direction control. Plain system calls on an open descriptor;
/// what they mean for a bus of lock boards is `SerialPort`'s business.
public enum SerialLineSettings {
    public enum Parity: Sendable { case none, even, odd }

    /// The termios speed for `baud`, nil when the rate is not a standard one.
    public static func speed(forBaud baud: Int) -> UInt32? {
        let table: [Int: Int32] = [
            1_200: B1200, 2_400: B2400, 4_800: B4800, 9_600: B9600, 19_200: B19200, 38_400: B38400,
            57_600: B57600, 115_200: B115200, 230_400: B230400,
        ]
        return table[baud].map { UInt32($0) }
    }

    /// TIOCEXCL: no further open of this tty succeeds (except a privileged one).
    public static func claimExclusiveAccess(_ file: FileDescriptor) throws(SystemCallError) {
        try SystemCall.run("claim exclusive access (TIOCEXCL)", path: file.path) { Int(lockerd_tty_set_exclusive(file.rawValue)) }
    }

    /// An advisory whole-file lock (flock LOCK_EX | LOCK_NB): false when another process holds it.
    public static func lockAdvisory(_ file: FileDescriptor) throws(SystemCallError) -> Bool {
        if flock(file.rawValue, LOCK_EX | LOCK_NB) == 0 { return true }
        let code = errno
        if code == EWOULDBLOCK { return false }
        throw SystemCallError(call: "lock the line", path: file.path, code: code)
    }

    /// Raw mode (cfmakeraw), receiver on, modem lines ignored, one stop bit, no hardware flow
    /// control, the given parity and speed, applied at once.
    public static func makeRaw(_ file: FileDescriptor, speed: UInt32, parity: Parity) throws(SystemCallError) {
        var options = termios()
        try SystemCall.run("read line settings", path: file.path) { Int(tcgetattr(file.rawValue, &options)) }
        cfmakeraw(&options)
        options.c_cflag |= tcflag_t(CLOCAL) | tcflag_t(CREAD)
        options.c_cflag &= ~(tcflag_t(CSTOPB) | tcflag_t(CRTSCTS) | tcflag_t(PARENB) | tcflag_t(PARODD))
        switch parity {
        case .none: break
        case .even: options.c_cflag |= tcflag_t(PARENB)
        case .odd: options.c_cflag |= tcflag_t(PARENB) | tcflag_t(PARODD)
        }
        cfsetispeed(&options, speed_t(speed))
        cfsetospeed(&options, speed_t(speed))
        try SystemCall.run("apply line settings", path: file.path) { Int(tcsetattr(file.rawValue, TCSANOW, &options)) }
    }

    /// TIOCSRS485: the kernel drives the transmitter enable (RTS) around each send. Returns false
    /// when the adapter has no such support (ENOTTY or EINVAL: most USB adapters switch direction
    /// by themselves); throws on any other failure.
    public static func enableKernelRS485(_ file: FileDescriptor) throws(SystemCallError) -> Bool {
        if lockerd_tty_enable_rs485(file.rawValue, 0, 0) == 0 { return true }
        let code = errno
        if code == ENOTTY || code == EINVAL { return false }
        throw SystemCallError(call: "enable RS-485 direction control (TIOCSRS485)", path: file.path, code: code)
    }

    /// Drops whatever is queued in both directions (stale bytes from before we opened the line).
    public static func flush(_ file: FileDescriptor) {
        tcflush(file.rawValue, TCIOFLUSH)
    }
}
