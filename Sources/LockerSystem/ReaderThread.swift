import CSystemShims
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs a blocking read loop on a thread of its own and hands what it reads to async code.
///
/// Device reads block (a tty, an evdev node), and a blocked read must never hold one of the few
/// threads Swift concurrency shares. The loop waits on its device and on the stop signal together
/// (`ReaderStop.signal`), with no timeout: an idle reader never wakes, and a stop is noticed at
/// once. It owns its device from open to close, so no file descriptor is ever shared across threads.
public enum ReaderThread {
    /// Starts `body` on a new thread. `body` reads until `stop.isRequested` turns true (waiting on
    /// its device and `stop.signal` together), yielding each element; an error it throws ends the
    /// stream with that error. The returned `stop` is also what the stream's termination calls, so
    /// a consumer that stops iterating stops the thread.
    public static func start<Element: Sendable>(
        name: String,
        _ body: @escaping @Sendable (_ stop: ReaderStop, _ yield: (Element) -> Void) throws -> Void
    ) -> (elements: AsyncThrowingStream<Element, any Error>, stop: @Sendable () -> Void) {
        let stop = ReaderStop()
        let (elements, continuation) = AsyncThrowingStream.makeStream(of: Element.self)
        continuation.onTermination = { _ in stop.request() }
        let started = startDetachedThread(name: name) {
            defer { stop.close() }
            do {
                try body(stop, { continuation.yield($0) })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        if let failure = started {
            stop.close()
            continuation.finish(throwing: failure)
        }
        return (elements, { stop.request() })
    }

    /// A detached POSIX thread (not Foundation's `Thread`: this module and lockerctl use
    /// FoundationEssentials only), named for `top -H` and crash reports (15 bytes at most).
    /// Returns why it could not start, or nil.
    static func startDetachedThread(name: String, _ body: @escaping @Sendable () -> Void) -> SystemCallError? {
        final class Work {
            let name: String
            let body: @Sendable () -> Void
            init(_ name: String, _ body: @escaping @Sendable () -> Void) { (self.name, self.body) = (name, body) }
        }
        let work = Unmanaged.passRetained(Work(name, body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
            _ = lockerd_name_current_thread(String(decoding: work.name.utf8.prefix(15), as: UTF8.self))
            work.body()
            return nil
        }, work)
        guard result == 0 else {
            Unmanaged<Work>.fromOpaque(work).release()
            return SystemCallError(call: "pthread_create", path: name, code: result)
        }
        pthread_detach(thread)
        return nil
    }
}

/// A reader thread's stop request: a flag, and a pipe whose read end (`signal`) turns readable
/// when the stop is requested, for the thread to poll beside its device.
public final class ReaderStop: Sendable {
    private struct State {
        var requested = false
        var pipe: (read: Int32, write: Int32)?
    }

    private let state: Mutex<State>
    /// Readable once a stop is requested (never read: it stays readable). Only valid on the
    /// reader thread, while its body runs.
    public let signal: FileDescriptor

    init() {
        var ends: [Int32] = [-1, -1]
        // Without a pipe (descriptors exhausted) the signal is -1, which poll(2) ignores: the
        // reader then notices a stop only when its device wakes it.
        let pipe: (Int32, Int32)? = Glibc.pipe(&ends) == 0 ? (ends[0], ends[1]) : nil
        for end in ends where end >= 0 {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        state = Mutex(State(pipe: pipe))
        signal = FileDescriptor(rawValue: pipe?.0 ?? -1, path: "reader stop signal")
    }

    public var isRequested: Bool { state.withLock { $0.requested } }

    func request() {
        state.withLock { state in
            guard !state.requested else { return }
            state.requested = true
            if let pipe = state.pipe { _ = withUnsafeBytes(of: UInt8(1)) { Glibc.write(pipe.write, $0.baseAddress, 1) } }
        }
    }

    /// When the thread ends: a later `request` writes nowhere (the descriptors may be reused).
    func close() {
        state.withLock { state in
            if let pipe = state.pipe {
                _ = Glibc.close(pipe.read)
                _ = Glibc.close(pipe.write)
            }
            state.pipe = nil
        }
    }
}
