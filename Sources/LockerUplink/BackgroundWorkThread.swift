import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A serial thread of its own at a lower CPU priority than the rest of lockerd (nice +10), for
/// the uplink's batch preparation: store reads, JSON encoding, signing and compression.
///
/// Draining a backlog keeps that work busy for seconds at a time (about 0.6 of a core at 40,000
/// events a second), and on a 2-core cabinet a resident's last key then waited for a core behind
/// it: the keypad's reader thread, the cabinet loop and the bus each need one in turn before the
/// unlock frame goes out (the pickup benchmark's drain phase). On Linux a thread's nice value is
/// its own, so only this thread yields. Nice is a weight, not a ban: whatever CPU the cabinet
/// leaves idle still goes to the drain. Raising one's own nice value needs no privilege; should
/// it fail, the work runs at normal priority, as before.
public final class BackgroundWorkThread: Sendable {
    /// The nice value added to the thread's own.
    public static let niceIncrement: Int32 = 10

    private let queue = Queue()

    public init(name: String) {
        let queue = self.queue
        let thread = Thread {
            // Named from inside (Thread.name set before start does not reach the kernel here),
            // so that top -H and /proc show which thread is the uplink's; at most 15 bytes.
            try? String(name.utf8.prefix(15))?.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            // `who` 0 is the calling thread: on Linux the nice value is per thread.
            errno = 0
            let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            if errno == 0 {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + Self.niceIncrement))
            }
            while let job = queue.next() { job() }
        }
        thread.start()
    }

    /// The thread ends once the jobs submitted before are done (nobody can submit more).
    deinit {
        queue.stop()
    }

    /// Runs `job` on the thread, after the jobs submitted before it.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        queue.append(job)
    }

    /// Runs `body` on the thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// The jobs and the stop request; the thread holds it, not the owner, so that releasing the
    /// owner ends the thread.
    private final class Queue: Sendable {
        private let state = Mutex<(jobs: [@Sendable () -> Void], stopped: Bool)>(([], false))
        /// One signal per job, and one for the stop.
        private let signal = DispatchSemaphore(value: 0)

        func append(_ job: @escaping @Sendable () -> Void) {
            state.withLock { $0.jobs.append(job) }
            signal.signal()
        }

        func stop() {
            state.withLock { $0.stopped = true }
            signal.signal()
        }

        /// The next job, waiting for one; nil once stopped and every job is done.
        func next() -> (@Sendable () -> Void)? {
            while true {
                signal.wait()
                let (job, stopped) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
                    (state.jobs.isEmpty ? nil : state.jobs.removeFirst(), state.stopped)
                }
                if let job { return job }
                if stopped { return nil }
            }
        }
    }
}
