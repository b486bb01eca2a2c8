#if canImport(Glibc)
import Glibc
#endif
import LockerSystem
import Foundation
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

    /// The calling thread's id (from /proc/thread-self, which links to "PID/task/TID").
    static func currentThreadID() -> Int {
        var bytes = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &bytes, bytes.count - 1)
        let link = String(decoding: bytes.prefix(max(0, count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Int(link.split(separator: "/").last ?? "") ?? -1
    }

    /// How many times thread `id` of this process gave up its core to wait (it slept).
    static func voluntarySwitches(ofThread id: Int) throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/task/\(id)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("voluntary_ctxt_switches:") })
        return try #require(Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
    }

    /// A watched pipe the thread reads one byte at a time; `send` writes a byte and returns once
    /// the handler on the thread has read it and 2 ms more have passed (spent yielding, not
    /// sleeping): long enough for a thread with nothing to do to have gone to sleep.
    final class WatchedPipe: Sendable {
        let reader: Int32, writer: Int32
        let handled = Atomic<Int>(0)
        init() {
            var ends: [Int32] = [0, 0]
            precondition(pipe(&ends) == 0)
            (reader, writer) = (ends[0], ends[1])
        }
        func onReadable() {
            var byte: UInt8 = 0
            if read(reader, &byte, 1) == 1 { handled.add(1, ordering: .relaxed) }
        }
        func send() {
            let before = handled.load(ordering: .relaxed)
            var byte: UInt8 = 1
            _ = write(writer, &byte, 1)
            while handled.load(ordering: .relaxed) == before { sched_yield() }
            let pause = ContinuousClock.now + .milliseconds(2)
            while ContinuousClock.now < pause { sched_yield() }
        }
        deinit { close(reader); close(writer) }
    }

    /// While busy polling (the last digit of a pickup code is awaited), the thread reads a
    /// watched device without ever going to sleep; told to stop, it sleeps between reads again.
    @Test func busyPollingReadsWithoutSleepingUntilItEnds() async throws {
        let executor = try DedicatedThreadExecutor(name: "test busy")
        defer { executor.stop() }
        let device = WatchedPipe()
        let id = executor.watch(device.reader, onReadable: { device.onReadable() }, onRemoved: {})
        defer { executor.unwatch(id) }
        let thread = await Task(executorPreference: executor) { Self.currentThreadID() }.value
        try #require(thread > 0)

        executor.busyPoll(until: .now + .seconds(60))
        device.send()
        let busyBefore = try Self.voluntarySwitches(ofThread: thread)
        for _ in 0..<20 { device.send() }
        let sleptWhileBusy = try Self.voluntarySwitches(ofThread: thread) - busyBefore
        // Unless another thread of this machine wanted its core (the parallel tests): it then gives
        // up busy polling, as it should, and sleeps.
        #expect(sleptWhileBusy <= 2 || executor.busyPollsGivenUp > 0, "slept \(sleptWhileBusy) times in 20 busy-polled reads")

        executor.busyPoll(until: nil)
        device.send()
        let idleBefore = try Self.voluntarySwitches(ofThread: thread)
        for _ in 0..<20 { device.send() }
        let sleptWhenIdle = try Self.voluntarySwitches(ofThread: thread) - idleBefore
        #expect(sleptWhenIdle >= 15, "slept only \(sleptWhenIdle) times in 20 reads after busy polling ended")
        #expect(device.handled.load(ordering: .relaxed) == 42)
    }

    /// Busy polling takes only a core nobody else wants: preempted by another thread (here, more
    /// spinning threads than the machine has cores), the thread stops busy polling and sleeps.
    @Test func busyPollingEndsWhenAnotherThreadWantsTheCore() async throws {
        let executor = try DedicatedThreadExecutor(name: "test yield")
        defer { executor.stop() }
        executor.busyPoll(until: .now + .seconds(60))
        _ = await Task(executorPreference: executor) { 0 }.value
        let spinning = Atomic<Bool>(true)
        let spinners = (0...ProcessInfo.processInfo.activeProcessorCount).map { _ in
            Thread { while spinning.load(ordering: .relaxed) {} }
        }
        spinners.forEach { $0.start() }
        let deadline = ContinuousClock.now + .seconds(20)
        while executor.busyPollsGivenUp == 0, ContinuousClock.now < deadline { sched_yield() }
        spinning.store(false, ordering: .relaxed)
        #expect(executor.busyPollsGivenUp == 1)
        // Asleep again: a job from here still wakes it and runs.
        #expect(await Task(executorPreference: executor) { Self.currentThreadName() }.value == "test yield")
    }
}
