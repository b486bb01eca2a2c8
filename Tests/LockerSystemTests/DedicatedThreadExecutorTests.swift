#if canImport(Glibc)
import Glibc
#endif
import LockerSystem
import Synchronization
import Testing

/// The cabinet loop's executor: every job of a task that prefers it runs on its one thread, in
/// order, and a job that comes after `stop()` still runs (elsewhere) rather than being dropped.
@Suite struct DedicatedThreadExecutorTests {
    /// The calling thread's name, from /proc (the name `top -H` shows).
    static func currentThreadName() -> String {
        let descriptor = open("/proc/thread-self/comm", O_RDONLY)
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = read(descriptor, &bytes, bytes.count)
        return String(decoding: bytes.prefix(max(0, count)).filter { $0 != 0x0A }, as: UTF8.self)
    }

    @Test func aPreferringTaskRunsOnTheThreadInOrder() async throws {
        let executor = try DedicatedThreadExecutor(name: "test loop")
        defer { executor.stop() }
        let names = Mutex<[String]>([])
        let order = Mutex<[Int]>([])
        await withTaskExecutorPreference(executor) {
            for step in 0..<50 {
                names.withLock { $0.append(Self.currentThreadName()) }
                order.withLock { $0.append(step) }
                // Suspends and comes back through the executor's queue.
                await Task.yield()
                try? await Task.sleep(for: .zero)
            }
        }
        #expect(Set(names.withLock { $0 }) == ["test loop"])
        #expect(order.withLock { $0 } == Array(0..<50))
        // Several tasks at once: each one's steps in order, all on the one thread.
        final class Steps: Sendable { let byTask = Mutex<[Int: [Int]]>([:]) }
        let steps = Steps()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask(executorPreference: executor) {
                    for step in 0..<20 {
                        #expect(Self.currentThreadName() == "test loop")
                        steps.byTask.withLock { $0[task, default: []].append(step) }
                        await Task.yield()
                    }
                }
            }
        }
        let byTask = steps.byTask.withLock { $0 }
        #expect(byTask.count == 4 && byTask.values.allSatisfy { $0 == Array(0..<20) })
    }

    /// The thread takes the nice value it is given for itself alone (the cabinet loop's -5); the
    /// test asks for a higher one than the test process's, which needs no privilege.
    @Test func theThreadTakesItsOwnNiceValue() async throws {
        errno = 0
        let processNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        try #require(errno == 0)
        let wanted = min(19, processNice + 3)
        let executor = try DedicatedThreadExecutor(name: "nice loop", niceValue: wanted)
        defer { executor.stop() }
        let seen = await withTaskExecutorPreference(executor) { () -> Int32 in
            #expect(Self.currentThreadName() == "nice loop")
            return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        }
        #expect(seen == wanted)
        #expect(executor.priorityRequestSettled && executor.priorityRefusal == nil)
        // The calling thread keeps its own.
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == processNice)
        let plain = try DedicatedThreadExecutor(name: "plain loop")
        defer { plain.stop() }
        #expect(await withTaskExecutorPreference(plain) { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) } == processNice)
        #expect(!plain.priorityRequestSettled)
    }

    /// A keypad's reader runs as a watch handler on the cabinet loop's thread and resumes the
    /// loop's task there: that job runs on the thread's next turn, with no write to its eventfd
    /// (a system call on the way from a pickup code's last key to the door).
    @Test func aJobAWatchHandlerEnqueuesNeedsNoWakeUp() async throws {
        let executor = try DedicatedThreadExecutor(name: "test watch")
        defer { executor.stop() }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let waiting = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let reader = ends[0]
        let id = executor.watch(reader, onReadable: {
            var byte: UInt8 = 0
            _ = read(reader, &byte, 1)
            waiting.withLock { $0.take() }?.resume()
        }, onRemoved: {})
        defer { executor.unwatch(id) }
        let writer = ends[1]
        let beforeRounds = executor.wakeUps
        await Task(executorPreference: executor) {
            for round in 0..<20 {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    waiting.withLock { $0 = continuation }
                    // Readable once this task has suspended and the thread waits in poll() again.
                    var byte: UInt8 = 1
                    _ = write(writer, &byte, 1)
                }
                #expect(Self.currentThreadName() == "test watch", "round \(round)")
            }
        }.value
        // Starting the task from this thread woke it once; the 20 resumptions the handler made
        // on the thread woke nothing.
        let roundWakeUps = executor.wakeUps - beforeRounds
        #expect(roundWakeUps <= 1, "\(roundWakeUps) eventfd writes for 20 keys")
        // A job from another thread still wakes it (or this would never end).
        #expect(await Task(executorPreference: executor) { Self.currentThreadName() }.value == "test watch")
    }

    @Test func aJobAfterStopStillRuns() async throws {
        let executor = try DedicatedThreadExecutor(name: "test stopped")
        executor.stop()
        // The thread ends once its queue is empty; whichever side of that this task lands on, it runs.
        let answer = await Task(executorPreference: executor) { 42 }.value
        #expect(answer == 42)
        for _ in 0..<20 { _ = await Task(executorPreference: executor) { await Task.yield() }.value }
    }

    /// The thread's own timed wait: never early, resumed on the thread; a cancelled sleep ends at
    /// once with CancellationError, and so does one still pending when the executor stops. (The
    /// executor is the clock here: these are a few milliseconds of real time.)
    @Test func sleepsOnItsOwnThreadAndEndsOnCancelOrStop() async throws {
        let executor = try DedicatedThreadExecutor(name: "test sleeper")
        defer { executor.stop() }
        let mayBlock = await Task(executorPreference: executor) { () async throws -> [Bool] in
            var seen: [Bool] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                try await executor.sleep(for: .milliseconds(4))
                seen.append(ContinuousClock.now - start >= .milliseconds(4) && Self.currentThreadName() == "test sleeper"
                    && DedicatedThreadExecutor.mayBlockOnCurrentThread)
            }
            return seen
        }.result
        #expect(try mayBlock.get() == Array(repeating: true, count: 5))
        #expect(!DedicatedThreadExecutor.mayBlockOnCurrentThread)

        let long = Task(executorPreference: executor) { try await executor.sleep(for: .seconds(600)) }
        long.cancel()
        await #expect(throws: CancellationError.self) { try await long.value }

        let stopped = try DedicatedThreadExecutor(name: "test stopping")
        let pending = Task { try await stopped.sleep(for: .seconds(600)) }
        // Whether the sleep is registered before or after the stop, it ends with CancellationError.
        stopped.stop()
        await #expect(throws: CancellationError.self) { try await pending.value }
    }
}
