import LockerTestSupport
import LockerCore
import Testing

@Suite("Pickup-code policy")
struct PickupCodePolicyTests {
    /// Eight digits: with the default lockout, over a century to guess (`LockoutDesignTests`).
    @Test func defaultLengthIsEight() {
        #expect(PickupCodePolicy().length == 8)
    }

    @Test(arguments: 4...12)
    func drawGivesLengthASCIIDigits(length: Int) {
        let policy = PickupCodePolicy(length: length)
        var generator = SplitMix64(seed: UInt64(length))
        for _ in 0..<200 {
            let code = policy.draw(using: &generator)
            #expect(code.count == length)
            #expect(code.utf8.count == length)
            #expect(code.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }, "\(code)")
            #expect(policy.isWellFormed(code))
        }
    }

    @Test func drawIsDeterministicForASeed() {
        let policy = PickupCodePolicy()
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let a = (0..<20).map { _ in policy.draw(using: &first) }
        let b = (0..<20).map { _ in policy.draw(using: &second) }
        #expect(a == b)
        #expect(Set(a).count > 1, "a seeded generator still gives different codes on each draw")
    }

    @Test func drawUsesEveryDigitInEveryPositionAboutEvenly() {
        let policy = PickupCodePolicy(length: 6)
        var generator = SplitMix64(seed: 0xC0DE)
        let draws = 5_000
        var counts = Array(repeating: Array(repeating: 0, count: 10), count: 6)
        for _ in 0..<draws {
            for (position, byte) in policy.draw(using: &generator).utf8.enumerated() {
                counts[position][Int(byte - UInt8(ascii: "0"))] += 1
            }
        }
        // Expected 500 per digit and position; a uniform draw stays well inside 400...600.
        for position in 0..<6 {
            for digit in 0..<10 {
                #expect((400...600).contains(counts[position][digit]),
                        "digit \(digit) at position \(position): \(counts[position][digit]) of \(draws)")
            }
        }
    }

    @Test(arguments: [0, 1, 3, 10])
    func drawUniqueSkipsTakenCodes(takenFirst: Int) {
        let policy = PickupCodePolicy()
        var generator = SplitMix64(seed: 7)
        var preview = generator
        let upcoming = (0...takenFirst).map { _ in policy.draw(using: &preview) }
        let taken = Set(upcoming.prefix(takenFirst))
        #expect(taken.count == takenFirst, "the seed must not repeat a code in this window")

        var asked = 0
        let code = policy.drawUnique(using: &generator) { candidate in
            asked += 1
            return taken.contains(candidate)
        }
        #expect(code == upcoming[takenFirst])
        #expect(asked == takenFirst + 1)
    }

    @Test func drawUniqueGivesUpWhenEveryDrawIsTaken() {
        let policy = PickupCodePolicy()
        var generator = SplitMix64(seed: 99)
        var asked = 0
        let code = policy.drawUnique(using: &generator) { _ in
            asked += 1
            return true
        }
        #expect(code == nil)
        #expect(asked == 1_000, "bounded: an impossible endless loop becomes an error")
    }

    @Test(arguments: [
        ("123456", true),
        ("000000", true),
        ("999999", true),
        ("12345", false),
        ("1234567", false),
        ("", false),
        ("12345a", false),
        ("12 456", false),
        ("-12345", false),
        ("+12345", false),
        ("12345\n", false),
        ("1234.5", false),
        ("\u{FF11}\u{FF12}\u{FF13}\u{FF14}\u{FF15}\u{FF16}", false),  // full-width digits
        ("\u{0661}\u{0662}\u{0663}\u{0664}\u{0665}\u{0666}", false),  // Arabic-Indic digits
        ("12345\u{00BD}", false),  // vulgar fraction one half is a number, not a digit
        ("12345\u{2463}", false),  // circled digit four
    ])
    func isWellFormedForSixDigits(text: String, isWellFormed: Bool) {
        #expect(PickupCodePolicy(length: 6).isWellFormed(text) == isWellFormed)
    }

    @Test(arguments: [(4, "0420", true), (4, "04200", false), (12, "123456789012", true), (12, "12345678901", false)])
    func isWellFormedFollowsTheLength(length: Int, text: String, isWellFormed: Bool) {
        #expect(PickupCodePolicy(length: length).isWellFormed(text) == isWellFormed)
    }
}
