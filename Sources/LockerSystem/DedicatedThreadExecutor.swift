import CSystemShims
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A task executor with one POSIX thread of its own, for a loop on the unlock's path (the cabinet
/// loop) or one that should wake as little as it can (a board's poll loop):
/// `Task(executorPreference:)` or `withTaskExecutorPreference` runs a task there, and the default
/// actors it calls run there too.
///
/// Why not the global executor: a thread that resumes a task there (a keypad's reader thread
/// handing over a key) waits for dispatch to wake one of its pool threads, about 100 µs on a
/// 2-core VM against 35 µs for a thread that waits on a semaphore of its own (measured with a
/// resume every 20 ms and every 250 ms); the last key of a pickup code pays it before its commit.
/// And a `Task.sleep` wakes dispatch's timer thread, then a pool thread: `sleep(for:)` here is the
/// thread's own timed wait, one wake-up.
///
/// The thread may block (`mayBlockOnCurrentThread`): a device call made from it runs there and
/// then, rather than hopping to another thread and back.
///
/// The thread sleeps on the semaphore with no timeout unless a `sleep(for:)` is due: an idle loop
/// never wakes. `stop()` ends it once its queue is empty; a job that arrives after that runs on
/// the global executor, so no job is ever dropped.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private struct Timer {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let sleeper: CheckedContinuation<Void, any Error>
    }

    private struct Queue {
        var jobs: [UnownedJob] = []
        var timers: [Timer] = []
        var nextTimerID: UInt64 = 0
        /// The thread is (about to be) waiting on the semaphore: the next job or timer must post it.
        var isWaiting = false
        var isStopping = false
        var hasEnded = false

        /// Whether the thread must be woken to see what was just added (and it no longer waits).
        mutating func takeWaiting() -> Bool {
            defer { isWaiting = false }
            return isWaiting
        }
    }

    /// What the thread does next.
    private enum Step {
        case run([UnownedJob], due: [CheckedContinuation<Void, any Error>])
        case wait(until: ContinuousClock.Instant?)
        case end(pending: [CheckedContinuation<Void, any Error>])
    }

    private let queue = Mutex(Queue())
    /// Posted once for each time the thread said it would wait (never touched after `deinit`: the
    /// thread holds this executor until it ends).
    private let wakeup: UnsafeMutablePointer<sem_t>

    /// Whether the calling thread is a dedicated one (any executor's), where a blocking device
    /// call may run directly.
    public static var mayBlockOnCurrentThread: Bool { lockerd_thread_may_block() != 0 }

    /// Starts the thread (`name`, at most 15 bytes, is what `top -H` shows). Throws if the
    /// thread could not be created.
    public init(name: String) throws {
        wakeup = .allocate(capacity: 1)
        sem_init(wakeup, 0, 0)
        if let failure = ReaderThread.startDetachedThread(name: name, { [self] in
            lockerd_mark_thread_may_block()
            runJobs()
        }) {
            sem_destroy(wakeup)
            wakeup.deallocate()
            throw failure
        }
    }

    deinit {
        sem_destroy(wakeup)
        wakeup.deallocate()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.hasEnded else { return (false, false) }
            queue.jobs.append(unowned)
            return (true, queue.takeWaiting())
        }
        if wake { sem_post(wakeup) }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Suspends the calling task for `duration`, timed by this executor's thread, which then
    /// resumes it (on this executor, for a task that prefers it). Throws `CancellationError` when
    /// the task is cancelled, at once, and when the executor has stopped.
    public func sleep(for duration: Duration) async throws {
        let deadline = ContinuousClock.now + duration
        let id = queue.withLock { queue in
            queue.nextTimerID += 1
            return queue.nextTimerID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (sleeper: CheckedContinuation<Void, any Error>) in
                let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
                    guard !queue.hasEnded, !queue.isStopping, !Task.isCancelled else { return (false, false) }
                    queue.timers.append(Timer(id: id, deadline: deadline, sleeper: sleeper))
                    // A waiting thread recomputes how long it may wait.
                    return (true, queue.takeWaiting())
                }
                if wake { sem_post(wakeup) }
                if !accepted { sleeper.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = queue.withLock { queue -> CheckedContinuation<Void, any Error>? in
                guard let index = queue.timers.firstIndex(where: { $0.id == id }) else { return nil }
                return queue.timers.remove(at: index).sleeper
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    /// Ends the thread once the jobs already queued have run; a sleep still pending is cancelled.
    public func stop() {
        let wake = queue.withLock { queue -> Bool in
            queue.isStopping = true
            return queue.takeWaiting()
        }
        if wake { sem_post(wakeup) }
    }

    private func nextStep() -> Step {
        queue.withLock { queue in
            queue.isWaiting = false
            let now = ContinuousClock.now
            var due: [CheckedContinuation<Void, any Error>] = []
            queue.timers.removeAll { timer in
                guard timer.deadline <= now else { return false }
                due.append(timer.sleeper)
                return true
            }
            if !queue.jobs.isEmpty || !due.isEmpty {
                var jobs: [UnownedJob] = []
                swap(&jobs, &queue.jobs)
                return .run(jobs, due: due)
            }
            if queue.isStopping {
                queue.hasEnded = true
                defer { queue.timers.removeAll() }
                return .end(pending: queue.timers.map(\.sleeper))
            }
            queue.isWaiting = true
            return .wait(until: queue.timers.map(\.deadline).min())
        }
    }

    private func runJobs() {
        while true {
            switch nextStep() {
            case .run(let jobs, let due):
                // A resumed sleeper's task comes back through `enqueue`, and runs on the next turn.
                for sleeper in due { sleeper.resume() }
                for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            case .wait(let deadline):
                if let deadline {
                    let left = max(.zero, deadline - ContinuousClock.now)
                    let nanoseconds = left.components.seconds * 1_000_000_000 + left.components.attoseconds / 1_000_000_000
                    // A timeout, an EINTR or a post: the next step looks again in every case.
                    _ = lockerd_semaphore_wait_monotonic(wakeup, nanoseconds)
                    // A post that raced the timeout is left on the semaphore: `isWaiting` is set
                    // only here, so that stray count costs one extra empty turn, never a lost wake-up.
                } else {
                    while sem_wait(wakeup) != 0, errno == EINTR {}
                }
            case .end(let pending):
                for sleeper in pending { sleeper.resume(throwing: CancellationError()) }
                return
            }
        }
    }
}
