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
/// 2-core VM against 35 µs for a thread that waits on a wake-up of its own (measured with a
/// resume every 20 ms and every 250 ms); the last key of a pickup code pays it before its commit.
/// And a `Task.sleep` wakes dispatch's timer thread, then a pool thread: `sleep(for:)` here is the
/// thread's own timed wait, one wake-up.
///
/// The thread may block (`mayBlockOnCurrentThread`): a device call made from it runs there and
/// then, rather than hopping to another thread and back.
///
/// A device can be watched by the thread itself (`watch`): its reads then happen on the thread
/// that handles what they deliver, with no hand-over at all (a keypad on the cabinet loop).
///
/// The thread waits in poll() on its eventfd and the watched devices, with no timeout unless a
/// `sleep(for:)` is due: an idle loop never wakes. For a short while (`busyPoll(until:)`: the
/// last digit of a pickup code is awaited) it does not sleep at all. `stop()` ends it once its
/// queue is empty; a job that arrives after that runs on the global executor, so no job is ever
/// dropped.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private struct Timer {
        let id: UInt64
        let deadline: ContinuousClock.Instant
        let sleeper: CheckedContinuation<Void, any Error>
    }

    /// A watched descriptor: `onReadable` runs on the thread whenever it is readable (or hung
    /// up, or in error: the read says which); `onRemoved` runs on the thread once it is unwatched.
    private struct Watch {
        let id: UInt64
        let descriptor: Int32
        let onReadable: @Sendable () -> Void
        let onRemoved: @Sendable () -> Void
    }

    private struct Queue {
        var jobs: [UnownedJob] = []
        var timers: [Timer] = []
        var nextID: UInt64 = 0
        var watches: [Watch] = []
        /// Watches unwatched since the thread last looked: it calls their `onRemoved`.
        var removed: [Watch] = []
        /// The thread is (about to be) waiting in poll(): the next job, timer or watch must wake it.
        var isWaiting = false
        var isStopping = false
        var hasEnded = false
        /// Until then the thread polls without sleeping (`busyPoll(until:)`).
        var busyPollUntil: ContinuousClock.Instant?

        /// Whether the thread must be woken to see what was just added (and it no longer waits).
        mutating func takeWaiting() -> Bool {
            defer { isWaiting = false }
            return isWaiting
        }
    }

    /// What the thread does next.
    private enum Step {
        case run([UnownedJob], due: [CheckedContinuation<Void, any Error>], removed: [Watch])
        /// `busy`: poll without sleeping (a zero timeout), and come back to look again.
        case wait(until: ContinuousClock.Instant?, watches: [Watch], busy: Bool)
        case end(pending: [CheckedContinuation<Void, any Error>], removed: [Watch])
    }

    private let queue = Mutex(Queue())
    /// Written to wake the thread from its poll() (never closed before `deinit`: the thread holds
    /// this executor until it ends).
    private let wakeup: Int32

    /// Whether the calling thread is a dedicated one (any executor's), where a blocking device
    /// call may run directly.
    public static var mayBlockOnCurrentThread: Bool { lockerd_thread_may_block() != 0 }

    /// Starts the thread (`name`, at most 15 bytes, is what `top -H` shows). Throws if the
    /// thread could not be created.
    ///
    /// With `niceValue`, the thread asks for that nice value for itself before it runs anything
    /// (on Linux a thread's nice value is its own): a lower one than the process's needs
    /// CAP_SYS_NICE or an RLIMIT_NICE that allows it (systemd's `LimitNICE=`). If refused, the
    /// thread runs at the process's priority; `priorityRefusal` then says why.
    public init(name: String, niceValue: Int32? = nil) throws {
        wakeup = lockerd_eventfd()
        guard wakeup >= 0 else { throw SystemCallError(call: "eventfd", path: name, code: errno) }
        if let failure = ReaderThread.startDetachedThread(name: name, { [self] in
            lockerd_mark_thread_may_block()
            if let niceValue {
                // `who` 0 is the calling thread.
                let refused = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceValue) == 0
                    ? nil : SystemCallError(call: "setpriority(\(niceValue))", path: name, code: errno)
                priority.withLock { $0 = .settled(refused) }
            }
            runJobs()
        }) {
            Glibc.close(wakeup)
            throw failure
        }
    }

    deinit {
        Glibc.close(wakeup)
    }

    private func wake() {
        wakeUpsWritten.add(1, ordering: .relaxed)
        var one: UInt64 = 1
        _ = Glibc.write(wakeup, &one, 8)
    }

    private let wakeUpsWritten = Atomic<Int>(0)

    private enum PriorityRequest { case pending, settled(SystemCallError?) }
    private let priority = Mutex(PriorityRequest.pending)

    /// Why the thread's `niceValue` was refused: nil if granted, not asked for, or not asked yet
    /// (the thread asks first thing; `priorityRequestSettled` says when it has).
    public var priorityRefusal: SystemCallError? {
        if case .settled(let refusal) = priority.withLock({ $0 }) { return refusal }
        return nil
    }

    /// Whether the thread has asked for its `niceValue` (at once, once it started).
    public var priorityRequestSettled: Bool {
        if case .settled = priority.withLock({ $0 }) { return true }
        return false
    }

    /// How many times the thread was woken from its poll() through its eventfd (tests: a job a
    /// watch handler enqueues on the thread itself needs no wake-up).
    package var wakeUps: Int { wakeUpsWritten.load(ordering: .relaxed) }

    /// Watches `descriptor` from the thread: `onReadable` runs there each time it is readable
    /// (it must read what is there, or unwatch), until `unwatch` with the returned id; then
    /// `onRemoved` runs there, once, and the descriptor is the caller's to close. After `stop`,
    /// `onRemoved` runs at once and the descriptor is never watched.
    public func watch(
        _ descriptor: Int32, onReadable: @escaping @Sendable () -> Void, onRemoved: @escaping @Sendable () -> Void
    ) -> UInt64 {
        let (id, accepted, wakeThread) = queue.withLock { queue -> (UInt64, Bool, Bool) in
            queue.nextID += 1
            guard !queue.isStopping, !queue.hasEnded else { return (queue.nextID, false, false) }
            queue.watches.append(Watch(id: queue.nextID, descriptor: descriptor, onReadable: onReadable, onRemoved: onRemoved))
            return (queue.nextID, true, queue.takeWaiting())
        }
        if wakeThread { wake() }
        if !accepted { onRemoved() }
        return id
    }

    /// Ends a watch (from any thread, or from its own `onReadable`); its `onRemoved` runs on the
    /// thread next. Unwatching twice does nothing.
    public func unwatch(_ id: UInt64) {
        let wakeThread = queue.withLock { queue -> Bool in
            guard let index = queue.watches.firstIndex(where: { $0.id == id }) else { return false }
            queue.removed.append(queue.watches.remove(at: index))
            return queue.takeWaiting()
        }
        if wakeThread { wake() }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.hasEnded else { return (false, false) }
            queue.jobs.append(unowned)
            return (true, queue.takeWaiting())
        }
        if wake { self.wake() }
        if !accepted { globalConcurrentExecutor.enqueue(ExecutorJob(unowned)) }
    }

    /// Suspends the calling task for `duration`, timed by this executor's thread, which then
    /// resumes it (on this executor, for a task that prefers it). Throws `CancellationError` when
    /// the task is cancelled, at once, and when the executor has stopped.
    public func sleep(for duration: Duration) async throws {
        let deadline = ContinuousClock.now + duration
        let id = queue.withLock { queue in
            queue.nextID += 1
            return queue.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (sleeper: CheckedContinuation<Void, any Error>) in
                let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
                    guard !queue.hasEnded, !queue.isStopping, !Task.isCancelled else { return (false, false) }
                    queue.timers.append(Timer(id: id, deadline: deadline, sleeper: sleeper))
                    // A waiting thread recomputes how long it may wait.
                    return (true, queue.takeWaiting())
                }
                if wake { self.wake() }
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

    /// Until `deadline` the thread does not sleep when it has nothing to do: it polls its eventfd
    /// and watched devices with a zero timeout, over and over, so a key is read the moment it
    /// arrives. A sleeping thread's core has to be woken first: on the 2-core VM of the pickup
    /// benchmark that was about 80 µs of the 230 lockerd spent above a bare commit, on every
    /// pickup. The cabinet asks for it while the last digit of a pickup code is awaited, for two
    /// seconds at most: that core is busy meanwhile (a second or two per pickup, never at rest).
    /// Busy polling ends by itself when other threads of the machine want the core (the thread was
    /// preempted and got less than nine tenths of it), so it only takes a core nobody else wanted.
    /// nil (or an instant passed) ends it now.
    public func busyPoll(until deadline: ContinuousClock.Instant?) {
        let wakeThread = queue.withLock { queue -> Bool in
            queue.busyPollUntil = deadline
            return queue.takeWaiting()
        }
        if wakeThread { wake() }
    }

    /// How long busy polling runs before the thread judges whether it has its core to itself.
    static let busyPollJudgedAfter: Duration = .milliseconds(10)

    /// The CPU time the calling thread has used.
    private static func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }

    /// How many busy polls ended early because other threads wanted the core (tests, diagnostics).
    package var busyPollsGivenUp: Int { busyPollsGivenUpCount.load(ordering: .relaxed) }
    private let busyPollsGivenUpCount = Atomic<Int>(0)

    /// Ends the thread once the jobs already queued have run; a sleep still pending is cancelled.
    public func stop() {
        let wakeThread = queue.withLock { queue -> Bool in
            queue.isStopping = true
            return queue.takeWaiting()
        }
        if wakeThread { wake() }
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
            var removed: [Watch] = []
            swap(&removed, &queue.removed)
            if !queue.jobs.isEmpty || !due.isEmpty || !removed.isEmpty {
                var jobs: [UnownedJob] = []
                swap(&jobs, &queue.jobs)
                return .run(jobs, due: due, removed: removed)
            }
            if queue.isStopping {
                queue.hasEnded = true
                defer {
                    queue.timers.removeAll()
                    queue.watches.removeAll()
                }
                return .end(pending: queue.timers.map(\.sleeper), removed: queue.watches)
            }
            queue.isWaiting = true
            if let until = queue.busyPollUntil, until <= now { queue.busyPollUntil = nil }
            return .wait(until: queue.timers.map(\.deadline).min(), watches: queue.watches, busy: queue.busyPollUntil != nil)
        }
    }

    private func runJobs() {
        // When busy polling began, and the thread's CPU time and involuntary context switches
        // then (nil: not busy polling).
        var busySince: (wall: ContinuousClock.Instant, used: Duration, preemptions: Int)?
        while true {
            switch nextStep() {
            case .run(let jobs, let due, let removed):
                for watch in removed { watch.onRemoved() }
                // A resumed sleeper's task comes back through `enqueue`, and runs on the next turn.
                for sleeper in due { sleeper.resume() }
                for job in jobs { job.runSynchronously(on: asUnownedTaskExecutor()) }
            case .wait(let deadline, let watches, let busy):
                if busy {
                    let now = ContinuousClock.now, used = Self.threadCPUTime()
                    if let since = busySince {
                        // Preempted, and given less than nine tenths of its core since busy
                        // polling began (once that is long enough to tell): other threads of the
                        // machine want the core. A loop that kept spinning would take their time,
                        // and when its key came it could be waiting behind them for its turn (a
                        // sleeping thread is woken ahead of them). It sleeps again. A kernel
                        // worker's moment on the core (several every pickup) is not a reason, nor
                        // is the loop's own waiting in a job (a commit's fsync).
                        let elapsed = now - since.wall
                        if elapsed >= Self.busyPollJudgedAfter, (used - since.used) * 10 < elapsed * 9,
                           lockerd_thread_involuntary_switches() != since.preemptions {
                            queue.withLock { $0.busyPollUntil = nil }
                            busySince = nil
                            busyPollsGivenUpCount.add(1, ordering: .relaxed)
                            continue
                        }
                    } else {
                        busySince = (now, used, lockerd_thread_involuntary_switches())
                    }
                } else {
                    busySince = nil
                }
                var entries = [pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
                entries += watches.map { pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0) }
                var timeout: Int32 = -1
                if busy {
                    timeout = 0
                } else if let deadline {
                    // Rounded up: a wait that ends early only to wait again is a wake-up for nothing.
                    let left = max(.zero, deadline - ContinuousClock.now)
                    let microseconds = left.components.seconds * 1_000_000 + left.components.attoseconds / 1_000_000_000_000
                    timeout = Int32(clamping: (microseconds + 999) / 1_000)
                }
                // A timeout, an EINTR, a wake-up or a readable device: the next step looks again.
                let ready = Glibc.poll(&entries, nfds_t(entries.count), timeout)
                // Awake: whatever is enqueued from here on (by the handlers below, which hand a
                // key to the cabinet loop's task on this very thread, or by another thread) is
                // seen by the next step without a write to the eventfd. That write was a system
                // call on the path from a pickup code's last key to the door.
                queue.withLock { $0.isWaiting = false }
                guard ready > 0 else { continue }
                if entries[0].revents != 0 {
                    var count: UInt64 = 0
                    _ = Glibc.read(wakeup, &count, 8)
                }
                for (watch, entry) in zip(watches, entries.dropFirst()) where entry.revents != 0 {
                    // Unwatched meanwhile (by another watch's handler, or another thread): skipped.
                    guard queue.withLock({ queue in queue.watches.contains { $0.id == watch.id } }) else { continue }
                    watch.onReadable()
                }
            case .end(let pending, let removed):
                for watch in removed { watch.onRemoved() }
                for sleeper in pending { sleeper.resume(throwing: CancellationError()) }
                return
            }
        }
    }
}
