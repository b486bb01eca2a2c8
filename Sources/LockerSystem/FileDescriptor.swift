import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor with the path it was opened from, so that every failure names it.
/// A value: whoever opened it closes it once (`close`). Always opened close-on-exec, so a helper
/// the daemon starts never inherits a device.
public struct FileDescriptor: Sendable, Hashable {
    public let rawValue: Int32
    public let path: String

    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    public enum Access: Sendable {
        case readOnly, writeOnly, readWrite
    }

    public struct Options: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Reads and writes return EAGAIN instead of waiting (pair with `poll`).
        public static let nonBlocking = Options(rawValue: O_NONBLOCK)
        /// A tty opened this way never becomes the process's controlling terminal.
        public static let noControllingTerminal = Options(rawValue: O_NOCTTY)
        public static let create = Options(rawValue: O_CREAT)
        public static let truncate = Options(rawValue: O_TRUNC)
        /// Refuse a symbolic link as the last component.
        public static let noFollow = Options(rawValue: O_NOFOLLOW)
        /// With `create`: fail with EEXIST rather than open a file that is already there.
        public static let exclusive = Options(rawValue: O_EXCL)
        /// Fail with ENOTDIR unless the path is a directory (opened to be fsynced).
        public static let directory = Options(rawValue: O_DIRECTORY)
    }

    /// open(2), retried on EINTR.
    public static func open(
        _ path: String, _ access: Access, options: Options = [], permissions: UInt32 = 0o644
    ) throws(SystemCallError) -> FileDescriptor {
        let mode: Int32 = switch access {
        case .readOnly: O_RDONLY
        case .writeOnly: O_WRONLY
        case .readWrite: O_RDWR
        }
        let flags = mode | options.rawValue | O_CLOEXEC
        let fd = try SystemCall.run("open", path: path) { Int(Glibc.open(path, flags, mode_t(permissions))) }
        return FileDescriptor(rawValue: Int32(fd), path: path)
    }

    /// Standard error (descriptor 2), which the process inherits open and never closes.
    public static let standardError = FileDescriptor(rawValue: 2, path: "standard error")

    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// fsync(2): the data and the size are on the disk when it returns, so they survive a power
    /// failure. Retried on EINTR.
    public func sync() throws(SystemCallError) {
        try SystemCall.run("fsync", path: path) { Int(fsync(rawValue)) }
    }

    /// posix_fallocate(3): gives the file real disk blocks for `length` bytes from the start (not
    /// a sparse hole), so that the space is the file's until it is removed. ENOSPC when the file
    /// system has not that much room. posix_fallocate returns its error rather than set errno.
    public func allocate(_ length: Int64) throws(SystemCallError) {
        while true {
            let code = posix_fallocate(rawValue, 0, off_t(length))
            if code == 0 { return }
            if code == EINTR { continue }
            throw SystemCallError(call: "posix_fallocate", path: path, code: code)
        }
    }

    /// What one `read` returned.
    public enum ReadResult: Sendable, Equatable {
        case bytes([UInt8])
        /// End of file: the writer closed its end, or a tty hung up.
        case endOfFile
        /// Nothing to read now (a non-blocking descriptor).
        case wouldBlock
    }

    /// read(2) of at most `maximum` bytes, retried on EINTR.
    public func read(maximum: Int, call: String = "read") throws(SystemCallError) -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, maximum) }
            if count > 0 { return .bytes(Array(buffer[..<count])) }
            if count == 0 { return .endOfFile }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SystemCallError(call: call, path: path, code: code)
        }
    }

    /// One write(2), retried on EINTR: how many bytes went, or nil when a non-blocking descriptor
    /// would have blocked. Callers loop for the rest (see `writeAll`).
    public func writeOnce(_ bytes: ArraySlice<UInt8>, call: String = "write") throws(SystemCallError) -> Int? {
        while true {
            let written = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress, $0.count) }
            if written >= 0 { return written }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemCallError(call: call, path: path, code: code)
        }
    }

    /// Writes every byte, retrying partial writes and EINTR. Returns how many went: fewer than
    /// `bytes.count` only when write(2) accepted nothing without an error, which callers report
    /// in their own words. A non-blocking descriptor that would block throws EAGAIN.
    @discardableResult
    public func writeAll(_ bytes: [UInt8], call: String = "write") throws(SystemCallError) -> Int {
        var offset = 0
        while offset < bytes.count {
            guard let written = try writeOnce(bytes[offset...], call: call) else {
                throw SystemCallError(call: call, path: path, code: EAGAIN)
            }
            if written == 0 { break }
            offset += written
        }
        return offset
    }

    /// What `poll` saw.
    public struct PollEvents: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let readable = PollEvents(rawValue: Int16(POLLIN))
        public static let writable = PollEvents(rawValue: Int16(POLLOUT))
        /// Urgent data; a GPIO line's event descriptor reports edges this way too.
        public static let priority = PollEvents(rawValue: Int16(POLLPRI))
        public static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
        public static let error = PollEvents(rawValue: Int16(POLLERR))
        public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
    }

    /// poll(2) on this descriptor alone, retried on EINTR (with the full timeout again: callers'
    /// timeouts are generous, and a signal is rare). Returns the events that happened, empty on
    /// a timeout.
    public func poll(for events: PollEvents, milliseconds: Int, call: String = "poll") throws(SystemCallError) -> PollEvents {
        var descriptor = pollfd(fd: rawValue, events: events.rawValue, revents: 0)
        while true {
            let ready = Glibc.poll(&descriptor, 1, Int32(clamping: milliseconds))
            if ready < 0 && errno == EINTR { continue }
            if ready < 0 { throw SystemCallError.last(call: call, path: path) }
            return ready == 0 ? [] : PollEvents(rawValue: descriptor.revents)
        }
    }
}
