import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pipe whose two ends are not inherited by other child processes. Foundation's `Pipe` leaves
/// them inheritable, so a process another test spawns at the same time keeps a copy of the write
/// end, and reading the pipe to its end (or noticing that a killed child is gone) waits for that
/// unrelated process. The child it is meant for still gets its end: spawning duplicates it onto
/// the child's standard input or output, which clears the flag.
public final class CloseOnExecPipe: @unchecked Sendable {
    public let fileHandleForReading: FileHandle
    public let fileHandleForWriting: FileHandle

    public init() {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "pipe: \(String(cString: strerror(errno)))")
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        fileHandleForReading = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true)
        fileHandleForWriting = FileHandle(fileDescriptor: fds[1], closeOnDealloc: true)
    }
}
