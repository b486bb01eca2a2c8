import Foundation
import LockerDaemon
import Synchronization
import Testing

/// The event feed (the front panel's event lines, `lockerctl events --follow`, the uplink's
/// wake-up) is given every committed event once, in sequence order, and reads the record only
/// when a commit may have added to it: a key that commits nothing reads nothing.
@Suite struct EventFeedTests {
    @Test func everyEventIsFedOnceInOrderAndKeysThatCommitNothingReadNothing() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        let fed = Mutex<[Int64]>([])
        await cabinet.inbox.inspect { controller in
            controller.onEvent = { event in fed.withLock { $0.append(event.sequence) } }
        }
        func feedReads() async -> Int {
            let reads = Mutex(0)
            await cabinet.inbox.inspect { controller in reads.withLock { $0 = controller.eventFeedReads } }
            return reads.withLock { $0 }
        }

        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF1000000001")
        let code = try #require(shown)
        await cabinet.press("enter 2")  // the courier logs out
        let recorded = try cabinet.events().map(\.sequence)
        #expect(recorded.count >= 4)
        #expect(fed.withLock { $0 } == recorded)

        // Half a code, then CLEAR, then most of the code: the panel moves, nothing is committed.
        let readsBefore = await feedReads()
        await cabinet.press("1 2 3 clear")
        await cabinet.press(String(code.dropLast()))
        #expect(try cabinet.events().map(\.sequence) == recorded)
        #expect(await feedReads() == readsBefore, "keys that committed nothing read the record")

        // The last digit commits the pickup's door opening: fed at once, and the rest after it.
        await cabinet.press(String(code.last!))
        #expect(cabinet.isOpen(label))
        #expect(await feedReads() > readsBefore)
        try await cabinet.take(label)
        try await cabinet.close(label)
        let all = try cabinet.events()
        #expect(all.suffix(2).map(\.kind) == ["pickup.door_opened", "pickup.committed"])
        #expect(fed.withLock { $0 } == all.map(\.sequence), "every event once, in order")
    }
}
