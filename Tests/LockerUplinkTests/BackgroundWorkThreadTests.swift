import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LockerUplink
import Synchronization
import Testing

/// The uplink prepares its batches on a thread of its own at a lower CPU priority, so that a
/// drain's encoding and signing yield the cores to the cabinet loop (README "Pickup latency").
@Suite struct BackgroundWorkThreadTests {
    /// The calling thread's nice value (`who` 0 is the calling thread on Linux).
    static func ownNice() -> Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func runsJobsInOrderOnOneThreadAtALowerPriority() async throws {
        let worker = BackgroundWorkThread(name: "test.worker")
        let order = Mutex<[Int]>([])
        for index in 0..<100 {
            worker.submit { order.withLock { $0.append(index) } }
        }
        let (threadID, nice) = try await worker.run { (pthread_self(), Self.ownNice()) }
        #expect(order.withLock { $0 } == Array(0..<100), "serial: in the order submitted, before the later run")
        #expect(threadID != pthread_self())
        #expect(nice == min(19, Self.ownNice() + BackgroundWorkThread.niceIncrement))
        // Every job runs on that same thread.
        #expect(try await worker.run { pthread_self() } == threadID)
    }

    @Test func anErrorReachesTheCaller() async throws {
        struct Refused: Error {}
        let worker = BackgroundWorkThread(name: "test.worker")
        await #expect(throws: Refused.self) { try await worker.run { throw Refused() } }
        #expect(try await worker.run { 7 } == 7, "the thread goes on after a job threw")
    }

    @Test func jobsSubmittedBeforeTheOwnerIsReleasedStillRun() async {
        var worker: BackgroundWorkThread? = BackgroundWorkThread(name: "test.worker")
        let ran: Bool = await withCheckedContinuation { continuation in
            worker!.submit { continuation.resume(returning: true) }
            // Released with the job still queued: the thread ends only after it.
            worker = nil
        }
        #expect(ran)
    }
}
