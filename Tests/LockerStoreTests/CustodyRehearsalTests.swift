import Dispatch
import Foundation
import LockerCore
import LockerStore
import Testing

/// The cabinet rehearses a pickup's reads while the last digit is awaited, on the cabinet loop:
/// with another write under way it steps aside at once instead of waiting for the writer, and it
/// writes nothing.
@Suite struct CustodyRehearsalTests {
    final class Signals: @unchecked Sendable {
        let inside = DispatchSemaphore(value: 0)
        let rehearsed = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        var rehearsedWhileHeld = false
    }

    @Test func aRehearsalStepsAsideWhileAWriteIsUnderWay() throws {
        try withFreshStore { store, _ in
            let before = try store.events()
            let signals = Signals()
            let writer = Thread {
                _ = try? store.transaction(at: StoreFixture.stamp(1)) { _ in
                    signals.inside.signal()
                    // Holds the writer until the rehearsal returned (or 10 s, if it waited for it).
                    signals.rehearsedWhileHeld = signals.rehearsed.wait(timeout: .now() + 10) == .success
                }
                signals.finished.signal()
            }
            writer.start()
            signals.inside.wait()
            store.rehearseCustodyWrite(compartmentID: 0)
            signals.rehearsed.signal()
            // Once the writer let go, a rehearsal reads (and still writes nothing).
            signals.finished.wait()
            #expect(signals.rehearsedWhileHeld, "the rehearsal waited for the write under way")
            for _ in 0..<10 { store.rehearseCustodyWrite(compartmentID: 1) }
            #expect(try store.events() == before)
            #expect(try store.snapshot().compartments[1].state == .available)
        }
    }
}
