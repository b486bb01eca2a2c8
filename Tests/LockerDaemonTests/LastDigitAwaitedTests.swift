import Foundation
import LockerCore
import LockerDaemon
import Synchronization
import Testing

/// The cabinet tells the daemon when the next key may complete a pickup code (the loop then gets
/// ready for it: `LastDigitAnticipation`) and when it no longer may: the code completed, was corrected or
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

    /// Counts the codes it hashes (the controller's real hasher inside).
    final class CountingHasher: PickupCodeHasher, Sendable {
        let inner: any PickupCodeHasher
        let hashed = Mutex<[String]>([])
        init(_ inner: any PickupCodeHasher) { self.inner = inner }
        func hash(code: String) -> String {
            hashed.withLock { $0.append(code) }
            return inner.hash(code: code)
        }
    }

    /// The ten codes the last digit can make are hashed as the panel comes to hold the code one
    /// digit short; the last key then hashes nothing, and opens the right door, or counts a wrong
    /// code, exactly as a hash made then would.
    @Test func theLastDigitsHashesAreMadeBeforeItComes() async throws {
        let counting = Mutex<CountingHasher?>(nil)
        let cabinet = try await CabinetHarness(wrapHasher: { inner in
            let hasher = CountingHasher(inner)
            counting.withLock { $0 = hasher }
            return hasher
        })
        defer { cabinet.removeFiles() }
        let hasher = try #require(counting.withLock { $0 })
        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("SF1000000003")
        let code = try #require(shown)
        await cabinet.press("enter 2")
        let typed = String(code.dropLast())
        let wrongDigit = (code.last!.wholeNumberValue! + 1) % 10

        hasher.hashed.withLock { $0.removeAll() }
        await cabinet.press(typed)
        #expect(hasher.hashed.withLock { $0 } == (0...9).map { typed + String($0) })
        // A wrong last digit: counted as a wrong code, with no hash made for it.
        hasher.hashed.withLock { $0.removeAll() }
        await cabinet.press(String(wrongDigit))
        #expect(hasher.hashed.withLock { $0 } == [])
        #expect(!cabinet.isOpen(label))
        let failures = Mutex(0)
        await cabinet.inbox.inspect { controller in failures.withLock { $0 = controller.attemptGuard.consecutiveFailures } }
        #expect(failures.withLock { $0 } == 1)

        // BACK and a different digit before the last: the candidates are made again for it.
        let other = String(typed.dropLast()) + String((typed.last!.wholeNumberValue! + 1) % 10)
        await cabinet.press(other)
        await cabinet.press("back")
        #expect(hasher.hashed.withLock { $0 }.suffix(10) == (0...9).map { other + String($0) })
        hasher.hashed.withLock { $0.removeAll() }
        await cabinet.press(String(typed.last!))
        #expect(hasher.hashed.withLock { $0 } == (0...9).map { typed + String($0) })
        hasher.hashed.withLock { $0.removeAll() }
        await cabinet.press(String(code.last!))
        #expect(hasher.hashed.withLock { $0 } == [])
        #expect(cabinet.isOpen(label))
    }
}
