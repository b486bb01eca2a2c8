import Foundation
import LockerCore
@testable import LockerDaemon
import LockerSystem
import Synchronization
import Testing

/// While the last digit of a pickup code is awaited, the cabinet loop rehearses the pickup every
/// millisecond and changes nothing by it; the last digit then opens the door as it would have,
/// and the rehearsals end.
@Suite struct LastDigitAnticipationTests {
    @Test func rehearsalsChangeNothingAndEndWithTheCode() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let loop = try DedicatedThreadExecutor(name: "test rehearsal")
        defer { loop.stop() }
        // A window of 20 s: the rehearsals must end because the code completed, well before it ran out.
        let anticipation = LastDigitAnticipation(loop: loop, inbox: cabinet.inbox, window: .seconds(20))
        await cabinet.inbox.inspect { controller in
            controller.onLastDigitAwaited = { awaited in anticipation.lastDigitAwaited(awaited) }
        }
        func rehearsals() async -> Int {
            let count = Mutex(0)
            await cabinet.inbox.inspect { controller in count.withLock { $0 = controller.lastDigitRehearsals } }
            return count.withLock { $0 }
        }
        func walBytes() -> Int {
            let path = cabinet.directory.appendingPathComponent("lockerd.sqlite-wal").path
            return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        }

        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF1000000004")
        let code = try #require(shown)
        await cabinet.press("enter 2")
        let events = try cabinet.eventKinds()
        let compartment = try cabinet.compartment(label)
        let wal = walBytes()

        let started = ContinuousClock.now
        await cabinet.press(String(code.dropLast()))
        // Rehearsing, every millisecond: wait (in real time, bounded) for a few of them.
        while await rehearsals() < 5, ContinuousClock.now - started < .seconds(10) { await Task.yield() }
        #expect(await rehearsals() >= 5)
        #expect(try cabinet.eventKinds() == events, "a rehearsal recorded something")
        #expect(try cabinet.compartment(label) == compartment)
        #expect(walBytes() == wal, "a rehearsal wrote to the store")
        #expect(!cabinet.isOpen(label))
        let failures = Mutex(-1)
        await cabinet.inbox.inspect { controller in failures.withLock { $0 = controller.attemptGuard.consecutiveFailures } }
        #expect(failures.withLock { $0 } == 0, "a rehearsal counted a wrong code")

        await cabinet.press(String(code.last!))
        #expect(cabinet.isOpen(label))
        #expect(try cabinet.eventKinds() == events + ["pickup.door_opened"])
        await anticipation.rehearsalsEnded()
        #expect(ContinuousClock.now - started < .seconds(10), "the rehearsals ran on after the code completed")
        let atEnd = await rehearsals()
        await cabinet.press("1 2")
        #expect(await rehearsals() == atEnd)
    }
}
