#if canImport(Glibc)
import Glibc
#endif

/// A system call that failed: which call, on which path (or socket, or device), and the errno it
/// left. Every wrapper in `LockerSystem` throws this, so a failure always names what was tried on
/// what, and callers above turn it into their own errors (drivers into `HardwareError`).
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was attempted, in words a technician reads in the log ("open", "read line settings").
    public let call: String
    /// What it was attempted on: a device or file path, a socket address.
    public let path: String
    /// The errno the call left.
    public let code: Int32

    public init(call: String, path: String, code: Int32) {
        self.call = call
        self.path = path
        self.code = code
    }

    /// The error the last failed call left in `errno`.
    public static func last(call: String, path: String) -> SystemCallError {
        SystemCallError(call: call, path: path, code: errno)
    }

    /// The C library's text for the code ("No such file or directory").
    public var message: String { Self.message(code) }

    /// The C library's text and the errno symbol to search for: "Device or resource busy (EBUSY)".
    public var messageWithSymbol: String { Self.messageWithSymbol(code) }

    public var description: String { "\(call) \(path): \(messageWithSymbol)" }

    /// The device or file is not there (ENOENT, ENODEV, ENXIO): unplugged, or never was.
    public var isMissing: Bool { code == ENOENT || code == ENODEV || code == ENXIO }
    /// Another process holds it (EBUSY).
    public var isBusy: Bool { code == EBUSY }
    /// The call does not apply to this kind of file (ENOTTY, EINVAL): an ioctl on a non-device.
    public var isNotSupported: Bool { code == ENOTTY || code == EINVAL }
    /// No permission (EACCES, EPERM).
    public var isPermissionDenied: Bool { code == EACCES || code == EPERM }
    /// The file system is full (ENOSPC).
    public var isNoSpace: Bool { code == ENOSPC }
    /// An I/O error (EIO): a serial adapter or an input device being unplugged reads like this.
    public var isInputOutputError: Bool { code == EIO }

    public static func message(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    public static func messageWithSymbol(_ code: Int32) -> String {
        let text = message(code)
        if let symbol = symbols[code] { return "\(text) (\(symbol))" }
        return "\(text) (errno \(code))"
    }

    private static let symbols: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", EINTR: "EINTR", EIO: "EIO", ENXIO: "ENXIO",
        EBADF: "EBADF", EACCES: "EACCES", EBUSY: "EBUSY", ENODEV: "ENODEV", EINVAL: "EINVAL",
        ENOTTY: "ENOTTY", ENOMEM: "ENOMEM", ENOSPC: "ENOSPC", ENOSYS: "ENOSYS", EOPNOTSUPP: "EOPNOTSUPP",
    ]
}

/// Named errno values for callers that decide on a code (tests inject them; drivers map them),
/// so that they need not import the C library themselves.
public enum SystemErrno {
    public static let noSuchFile = ENOENT
    public static let noSuchDevice = ENODEV
    public static let noSuchDeviceOrAddress = ENXIO
    public static let inputOutput = EIO
    public static let busy = EBUSY
    public static let permissionDenied = EACCES
    public static let notPermitted = EPERM
    public static let invalidArgument = EINVAL
    public static let badDescriptor = EBADF
    public static let notATerminal = ENOTTY
    public static let wouldBlock = EAGAIN
    public static let interrupted = EINTR
    public static let exists = EEXIST
    public static let notADirectory = ENOTDIR
    public static let outOfMemory = ENOMEM
    public static let brokenPipe = EPIPE
    public static let connectionRefused = ECONNREFUSED
    public static let connectionReset = ECONNRESET
    public static let protocolNotSupported = EPROTONOSUPPORT
    public static let noBufferSpace = ENOBUFS
    /// What i2c controller drivers report for an address nobody acknowledged (besides ENXIO).
    public static let remoteInputOutput = EREMOTEIO

    /// errno as a C library call outside this module left it (libgpiod, libudev report failures
    /// only there). Read it straight after the failed call: any other call may change it.
    public static var current: Int32 { errno }

    /// Sets errno to 0 before a library call that may fail without setting it, so that `current`
    /// afterwards tells "no code" from a stale one.
    public static func clear() {
        errno = 0
    }
}
