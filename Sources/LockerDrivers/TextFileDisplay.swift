#if canImport(Glibc)
import Glibc
#endif
public import LockerHAL
public import Logging

/// The display as a file another process shows (a kiosk screen, an e-paper driver): each message
/// is one line of text, line breaks inside it replaced by spaces.
///
/// - A FIFO gets each message as a line, written without blocking: with no reader, or a reader
///   that has fallen a pipe's worth behind, the message is dropped. The panel never waits for a
///   screen. The write end is opened once a reader is there and then kept open between messages:
///   closing it after each one would end the reader's input (EOF) after every line, and a reader
///   that reopens would miss the messages sent before it is back. It is opened again only when
///   the reader went away (EPIPE) or the FIFO at the path was replaced; a reader that comes back
///   while it is still open simply gets the next messages (and any it had left unread).
/// - Anything else (a regular file, or nothing yet) is replaced atomically with the message: a
///   temporary file in the same directory renamed over it, so a reader sees the old message or
///   the new one, never half of one.
///
/// `show` never throws; the first failure of a streak is logged as a warning, the recovery as a
/// notice. Create the FIFO before lockerd starts: where there is nothing, a regular file is made.
public actor TextFileDisplay: Display {
    public nonisolated let path: String
    private let logger: Logger
    /// What went wrong last time, so a streak of the same failure is logged once.
    private var failure: String?
    /// The FIFO's write end, kept open between messages, and which FIFO it is.
    private var fifoWriter: (descriptor: Int32, device: UInt64, inode: UInt64)?

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    deinit {
        if let fifoWriter { close(fifoWriter.descriptor) }
    }

    public func show(_ text: String) async {
        let line = String(text.map { $0.isNewline ? " " : $0 })
        let result: String?
        if let fifo = fifoAtPath() {
            result = sendToFIFO(line, device: fifo.device, inode: fifo.inode)
        } else {
            closeFIFOWriter()
            result = replaceFile(with: line)
        }
        if let result {
            if result != failure {
                logger.warning("display file not written", metadata: ["path": "\(path)", "reason": "\(result)"])
            }
            failure = result
        } else if failure != nil {
            failure = nil
            logger.notice("display file written again", metadata: ["path": "\(path)"])
        }
    }

    /// The FIFO at the path, nil when there is something else (or nothing).
    private func fifoAtPath() -> (device: UInt64, inode: UInt64)? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFIFO else { return nil }
        return (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    private func closeFIFOWriter() {
        if let fifoWriter { close(fifoWriter.descriptor) }
        fifoWriter = nil
    }

    /// Nil when the line went into the pipe, else why it was dropped.
    private func sendToFIFO(_ line: String, device: UInt64, inode: UInt64) -> String? {
        // A line up to PIPE_BUF bytes goes into the pipe whole or not at all, never interleaved
        // with another writer's: longer messages (none are) are cut to fit.
        var fitting = line
        if line.utf8.count >= Self.pipeAtomicWrite {
            fitting = ""
            for character in line {
                if fitting.utf8.count + character.utf8.count >= Self.pipeAtomicWrite { break }
                fitting.append(character)
            }
        }
        let bytes = Array(fitting.utf8) + [0x0A]
        // A FIFO made anew at the path is another pipe: the kept write end would feed nobody.
        if let fifoWriter, fifoWriter.device != device || fifoWriter.inode != inode { closeFIFOWriter() }
        if fifoWriter == nil {
            // Non-blocking: the open fails with ENXIO instead of waiting for a reader, and the
            // writes that follow fail with EAGAIN instead of waiting for a slow one.
            var fd: Int32
            repeat { fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC) } while fd < 0 && errno == EINTR
            if fd < 0 {
                return errno == ENXIO ? "no process is reading the FIFO; the message is dropped" : "opening: \(Self.errnoText(errno))"
            }
            fifoWriter = (fd, device, inode)
        }
        guard let fifoWriter else { return nil }
        let written = Self.writeWithoutSIGPIPE(fifoWriter.descriptor, bytes)
        if written == bytes.count { return nil }
        let code = written < 0 ? errno : 0
        // The reader went away: the next message opens the FIFO again, which finds out whether
        // a reader is back. A full pipe keeps its write end: the reader is there, only slow.
        if code != EAGAIN { closeFIFOWriter() }
        switch code {
        case EAGAIN: return "the reader is not keeping up (the FIFO is full); the message is dropped"
        case EPIPE: return "the reader went away; the message is dropped"
        case 0: return "only \(written) of \(bytes.count) bytes were written"
        case let code: return "writing: \(Self.errnoText(code))"
        }
    }

    /// Nil when the file now holds the line, else what failed.
    private func replaceFile(with line: String) -> String? {
        let target = resolvedPath()
        let directory = target.lastIndex(of: "/").map { String(target[...$0]) } ?? ""
        let base = target.lastIndex(of: "/").map { String(target[target.index(after: $0)...]) } ?? target
        let temporary = "\(directory).\(base).\(getpid()).tmp"
        var fd: Int32
        repeat {
            fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        } while fd < 0 && errno == EINTR
        if fd < 0 { return "creating \(temporary): \(Self.errnoText(errno))" }
        let bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 {
                let text = written < 0 ? Self.errnoText(errno) : "nothing was written"
                close(fd)
                unlink(temporary)
                return "writing \(temporary): \(text)"
            }
            offset += written
        }
        close(fd)
        if rename(temporary, target) != 0 {
            let text = Self.errnoText(errno)
            unlink(temporary)
            return "renaming \(temporary) to \(target): \(text)"
        }
        return nil
    }

    /// A symbolic link is followed, so that the file it points to is replaced and the link stays.
    private func resolvedPath() -> String {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else {
            return path
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `write` reporting a reader that closed its end as EPIPE, without the SIGPIPE that would end
    /// the whole process: the signal is blocked on this thread for the call and a SIGPIPE the call
    /// raised is taken off the thread before it is unblocked.
    private static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var pending = sigset_t()
        sigpending(&pending)
        let wasPending = sigismember(&pending, SIGPIPE) == 1
        var written: Int
        repeat {
            written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        let code = errno
        if written < 0 && code == EPIPE && !wasPending {
            var immediately = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&pipeSignal, nil, &immediately)
        }
        errno = code
        return written
    }

    /// PIPE_BUF on Linux.
    private static let pipeAtomicWrite = 4_096

    private static func errnoText(_ code: Int32) -> String {
        GPIOHardwareErrors.errnoText(code)
    }
}
