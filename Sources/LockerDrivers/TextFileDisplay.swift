public import LockerHAL
import LockerSystem
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
    private var fifoWriter: (descriptor: FileDescriptor, device: UInt64, inode: UInt64)?

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    deinit {
        fifoWriter?.descriptor.close()
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
        guard let status = try? FileSystemCalls.status(of: path), status.kind == .fifo else { return nil }
        return (status.device, status.inode)
    }

    private func closeFIFOWriter() {
        fifoWriter?.descriptor.close()
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
            do {
                fifoWriter = (try FileDescriptor.open(path, .writeOnly, options: .nonBlocking), device, inode)
            } catch {
                return error.code == SystemErrno.noSuchDeviceOrAddress
                    ? "no process is reading the FIFO; the message is dropped" : "opening: \(Self.errnoText(error.code))"
            }
        }
        guard let fifoWriter else { return nil }
        let written: Int
        let code: Int32
        do {
            // Nil: the pipe is full (EAGAIN).
            written = try fifoWriter.descriptor.writeOnceWithoutPipeSignal(bytes[...]) ?? -1
            code = written < 0 ? SystemErrno.wouldBlock : 0
        } catch {
            written = -1
            code = error.code
        }
        if written == bytes.count { return nil }
        // The reader went away: the next message opens the FIFO again, which finds out whether
        // a reader is back. A full pipe keeps its write end: the reader is there, only slow.
        if code != SystemErrno.wouldBlock { closeFIFOWriter() }
        switch code {
        case SystemErrno.wouldBlock: return "the reader is not keeping up (the FIFO is full); the message is dropped"
        case SystemErrno.brokenPipe: return "the reader went away; the message is dropped"
        case 0: return "only \(written) of \(bytes.count) bytes were written"
        case let code: return "writing: \(Self.errnoText(code))"
        }
    }

    /// Nil when the file now holds the line, else what failed.
    private func replaceFile(with line: String) -> String? {
        let target = resolvedPath()
        let directory = target.lastIndex(of: "/").map { String(target[...$0]) } ?? ""
        let base = target.lastIndex(of: "/").map { String(target[target.index(after: $0)...]) } ?? target
        let temporary = "\(directory).\(base).\(ProcessCalls.processID).tmp"
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(temporary, .writeOnly, options: [.create, .truncate, .noFollow], permissions: 0o644)
        } catch {
            return "creating \(temporary): \(Self.errnoText(error.code))"
        }
        let bytes = Array((line + "\n").utf8)
        let problem: String?
        do {
            problem = try file.writeAll(bytes) == bytes.count ? nil : "nothing was written"
        } catch {
            problem = Self.errnoText(error.code)
        }
        file.close()
        if let problem {
            FileSystemCalls.removeIfPresent(temporary)
            return "writing \(temporary): \(problem)"
        }
        do {
            try FileSystemCalls.rename(temporary, to: target)
        } catch {
            FileSystemCalls.removeIfPresent(temporary)
            return "renaming \(temporary) to \(target): \(Self.errnoText(error.code))"
        }
        return nil
    }

    /// A symbolic link is followed, so that the file it points to is replaced and the link stays.
    private func resolvedPath() -> String {
        guard let status = try? FileSystemCalls.linkStatus(of: path), status.kind == .symbolicLink,
              let resolved = try? FileSystemCalls.resolvingSymbolicLinks(path) else {
            return path
        }
        return resolved
    }

    /// PIPE_BUF on Linux.
    private static let pipeAtomicWrite = 4_096

    private static func errnoText(_ code: Int32) -> String {
        GPIOHardwareErrors.errnoText(code)
    }
}
