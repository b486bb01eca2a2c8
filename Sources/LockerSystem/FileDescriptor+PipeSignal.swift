#if canImport(Glibc)
import Glibc
#endif

extension FileDescriptor {
    /// One write(2) to a pipe or FIFO whose reader may have gone: that is reported as EPIPE (a
    /// thrown `SystemCallError`) without the SIGPIPE that would end the whole process. The signal
    /// is blocked on this thread for the call, and a SIGPIPE the call raised is taken off the
    /// thread before it is unblocked (one that was already pending is left alone). Retried on
    /// EINTR; nil when a non-blocking descriptor would block (the pipe is full).
    public func writeOnceWithoutPipeSignal(_ bytes: ArraySlice<UInt8>, call: String = "write") throws(SystemCallError) -> Int? {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        var pending = sigset_t()
        sigpending(&pending)
        let wasPending = sigismember(&pending, SIGPIPE) == 1
        do {
            return try writeOnce(bytes, call: call)
        } catch {
            if error.code == EPIPE && !wasPending {
                var immediately = timespec(tv_sec: 0, tv_nsec: 0)
                _ = sigtimedwait(&pipeSignal, nil, &immediately)
            }
            throw error
        }
    }
}
