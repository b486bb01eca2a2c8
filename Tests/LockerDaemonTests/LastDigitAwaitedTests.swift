import Foundation
import LockerDaemon
import Synchronization
import Testing

/// The cabinet tells the daemon when the next key may complete a pickup code (the loop then reads
/// its keypads without sleeping) and when it no longer may: the code completed, was corrected or
/// cleared, a courier took the panel, or the panel forgot it after its silence.
@Suite struct LastDigitAwaitedTests {
    @Test func toldWhenTheLastDigitIsAwaitedAndWhenItNoLongerIs() async throws {
        let cabinet = try await CabinetHarness()
        defer { cabinet.removeFiles() }
        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF1000000002")
        let code = try #require(shown)
        await cabinet.press("enter 2")  // the courier logs out
        let told = Mutex<[Bool]>([])
        await cabinet.inbox.inspect { controller in
            controller.onLastDigitAwaited = { awaited in told.withLock { $0.append(awaited) } }
        }
        func heard() -> [Bool] { told.withLock { $0 } }

        // Digits short of one less than a code's length: nothing to say.
        await cabinet.press(String(code.dropLast(2)))
        #expect(heard() == [])
        await cabinet.press(String(code.dropLast().last!))
        #expect(heard() == [true])
        // BACK takes a digit away, the same digit again awaits the last one again; CLEAR ends it.
        await cabinet.press("back")
        #expect(heard() == [true, false])
        await cabinet.press(String(code.dropLast().last!))
        #expect(heard() == [true, false, true])
        await cabinet.press("clear")
        #expect(heard() == [true, false, true, false])

        // A half-typed code the panel forgets after its silence (a tick) ends it too.
        await cabinet.press(String(code.dropLast()))
        #expect(heard().last == true)
        await cabinet.wait(seconds: 30)
        #expect(heard().last == false)
        #expect(heard().count == 6)

        // The last digit completes the code: the door opens, and the loop may sleep again.
        await cabinet.press(String(code.dropLast()))
        #expect(heard().last == true)
        await cabinet.press(String(code.last!))
        #expect(cabinet.isOpen(label))
        #expect(heard() == [true, false, true, false, true, false, true, false])

        // A courier typing an id of the code's length minus one is not typing a pickup code.
        let before = heard()
        await cabinet.press("menu " + String(repeating: "1", count: code.count - 1))
        #expect(heard() == before)
        await cabinet.press("clear")
    }
}
