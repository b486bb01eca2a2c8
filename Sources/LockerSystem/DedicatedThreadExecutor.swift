#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A task executor with one POSIX thread of its own, for a loop on the unlock's path (the cabinet
/// loop): `Task(executorPreference:)` or `withTaskExecutorPreference` runs a task there, and the
/// default actors it calls run there too.
///
/// Why not the global executor: a thread that resumes a task there (a keypad's reader thread
/// handing over a key) waits for dispatch to wake one of its pool threads, about 100 µs on a
/// 2-core VM against 35 µs for a thread that waits on a semaphore of its own (measured with a
/// resume every 20 ms and every 250 ms); the last key of a pickup code pays it before its commit.
///
/// The thread sleeps on the semaphore with no timeout: an idle loop never wakes. `stop()` ends it
/// once its queue is empty; a job that arrives after that runs on the global executor, so no job
/// is ever dropped.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private struct Queue {
        var jobs: [UnownedJob] = []
        /// The thread is (about to be) waiting on the semaphore: the next job must post it.
        var isWaiting = false
        var isStopping = false
        var hasEnded = false
    }

    private let queue = Mutex(Queue())
    /// Posted once for each time the thread said it would wait (never touched after `deinit`: the
    /// thread holds this executor until it ends).
    private let wakeup: UnsafeMutablePointer<sem_t>

    /// Starts the thread (`name`, at most 15 bytes, is what `top -H` shows). Throws if the
    /// thread could not be created.
    public init(name: String) throws {
        wakeup = .allocate(capacity: 1)
        sem_init(wakeup, 0, 0)
        if let failure = ReaderThread.startDetachedThread(name: name, { [self] in runJobs() }) {
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
            defer { queue.isWaiting = false }
            return (true, queue.isWaiting)
        }
        if wake { sem_post(wakeup) }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Ends the thread once the jobs already queued have run.
    public func stop() {
        let wake = queue.withLock { queue -> Bool in
            queue.isStopping = true
            defer { queue.isWaiting = false }
            return queue.isWaiting
        }
        if wake { sem_post(wakeup) }
    }

    private func runJobs() {
        while true {
            let jobs: [UnownedJob]? = queue.withLock { queue in
                if queue.jobs.isEmpty {
                    if queue.isStopping {
                        queue.hasEnded = true
                        return nil
                    }
                    queue.isWaiting = true
                    return []
                }
                var taken: [UnownedJob] = []
                swap(&taken, &queue.jobs)
                return taken
            }
            guard let jobs else { return }
            if jobs.isEmpty {
                while sem_wait(wakeup) != 0, errno == EINTR {}
                continue
            }
            for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
