import LockerInput
import Testing

/// `MatrixKeypadDecoder` fed scan by scan: debounce counted in scans, one key per press, no
/// autorepeat, and two keys at once refused until the keypad is released.
@Suite struct MatrixKeypadDecoderTests {
    typealias Contact = MatrixKeypadDecoder.Contact

    static let one = Contact(row: 0, column: 0)
    static let five = Contact(row: 1, column: 1)
    static let nine = Contact(row: 2, column: 2)

    /// Feeds the scans in order and returns the legends reported, by scan (nil: nothing).
    func feed(_ scans: [Set<Contact>], to decoder: inout MatrixKeypadDecoder) -> [Character?] {
        scans.map { decoder.feed(scan: $0) }
    }

    func repeated(_ scan: Set<Contact>, _ times: Int) -> [Set<Contact>] {
        Array(repeating: scan, count: times)
    }

    // MARK: - Debounce

    @Test func bouncesShorterThanTheDebounceProduceNothing() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 3)

        let reported = feed([[Self.one], [], [Self.one], [Self.one], [], [Self.one], []], to: &decoder)

        #expect(reported.allSatisfy { $0 == nil })
        #expect(decoder.pressed.isEmpty)
    }

    @Test func aKeyCountsOnceItReadsClosedForTheDebounceScans() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 3)

        let reported = feed([[Self.one], [], [Self.one], [Self.one], [Self.one]], to: &decoder)

        #expect(reported == [nil, nil, nil, nil, "1"])
    }

    @Test func aDebounceOfOneTakesEveryScanAsItIs() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 1)

        #expect(feed([[Self.one], [], [Self.five]], to: &decoder) == ["1", nil, "5"])
    }

    @Test func aDebounceBelowOneCountsAsOne() {
        #expect(MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 0).debounceScans == 1)
    }

    @Test func aReleaseIsDebouncedToo() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        // The key bounces open for one scan while held: not a release, so not a second press.
        let reported = feed([[Self.one], [Self.one], [], [Self.one], [Self.one], [], []], to: &decoder)

        #expect(reported == [nil, "1", nil, nil, nil, nil, nil])
        #expect(decoder.isAtRest)
    }

    // MARK: - Presses

    @Test func onePressIsOneKeyAndHoldingDoesNotRepeat() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        let reported = feed(repeated([Self.five], 50), to: &decoder)

        #expect(reported.compactMap { $0 } == ["5"])
        #expect(decoder.pressed == [Self.five])
        #expect(!decoder.isAtRest)
    }

    @Test func theSameKeyPressedAgainAfterAReleaseIsASecondKey() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        let scans = repeated([Self.one], 3) + repeated([], 2) + repeated([Self.one], 3) + repeated([], 2)
        let reported = feed(scans, to: &decoder)

        #expect(reported.compactMap { $0 } == ["1", "1"])
        #expect(decoder.isAtRest)
    }

    @Test func theDecoderIsAtRestOnlyWhenNothingIsPressedOrSettling() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)
        #expect(decoder.isAtRest)

        _ = decoder.feed(scan: [Self.one])
        #expect(!decoder.isAtRest, "a contact is settling")
        _ = decoder.feed(scan: [Self.one])
        _ = decoder.feed(scan: [])
        #expect(!decoder.isAtRest, "the release is settling")
        _ = decoder.feed(scan: [])
        #expect(decoder.isAtRest)
    }

    @Test func aKeyRolledIntoWithoutOverlapIsReported() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        // One finger leaves "1" in the very scan the next one lands on "5".
        let reported = feed(repeated([Self.one], 2) + repeated([Self.five], 2), to: &decoder)

        #expect(reported.compactMap { $0 } == ["1", "5"])
    }

    // MARK: - Ambiguity

    @Test func twoKeysAtOnceGiveNothingUntilAllAreReleased() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        let scans = repeated([Self.one, Self.five], 4)
            + repeated([Self.five], 4)  // one released: still refused
            + repeated([], 2)
            + repeated([Self.nine], 2)
        let reported = feed(scans, to: &decoder)

        #expect(reported.compactMap { $0 } == ["9"])
    }

    @Test func aSecondKeyWhileTheFirstIsHeldEndsReportingUntilAllAreReleased() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 2)

        let scans = repeated([Self.one], 2)
            + repeated([Self.one, Self.five], 3)
            + repeated([Self.five], 3)  // the finger on "1" lifts: "5" alone, but refused
            + repeated([], 2)
            + repeated([Self.five], 2)
        let reported = feed(scans, to: &decoder)

        #expect(reported.compactMap { $0 } == ["1", "5"])
    }

    @Test func aGhostOfThreeKeysIsRefused() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 1)
        // "1", "2" and "4" pressed: without diodes "5" reads closed too.
        let ghosted: Set<Contact> = [
            Contact(row: 0, column: 0), Contact(row: 0, column: 1), Contact(row: 1, column: 0), Contact(row: 1, column: 1),
        ]

        #expect(feed(repeated(ghosted, 3), to: &decoder).allSatisfy { $0 == nil })
    }

    @Test func aKeyIsNotReportedWhileAnotherContactIsStillSettling() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 3)

        // "1" settles one scan before "5", which was pressed with it: two keys, nothing reported.
        let reported = feed([[Self.one], [Self.one], [Self.one, Self.five], [Self.one, Self.five], [Self.one, Self.five]],
                            to: &decoder)

        #expect(reported.allSatisfy { $0 == nil })
        #expect(decoder.pressed == [Self.one, Self.five])
    }

    // MARK: - Layouts

    @Test func theThreeByFourLayoutTypesEveryLegend() {
        let layout = MatrixKeypadDecoder.Layout.threeByFour
        #expect(layout.rowCount == 4)
        #expect(layout.columnCount == 3)
        #expect(typeEveryKey(of: layout) == "123456789*0#")
    }

    @Test func theFourByFourLayoutTypesEveryLegend() {
        let layout = MatrixKeypadDecoder.Layout.fourByFour
        #expect(layout.rowCount == 4)
        #expect(layout.columnCount == 4)
        #expect(typeEveryKey(of: layout) == "123A456B789C*0#D")
    }

    @Test func aConfiguredLayoutIsUsedAsGiven() {
        let layout = MatrixKeypadDecoder.Layout(rows: ["XY", "Z"])
        #expect(layout.columnCount == 2)
        #expect(layout.legend(at: Contact(row: 1, column: 1)) == nil, "a position without a legend")
        #expect(layout.contact(of: "Z") == Contact(row: 1, column: 0))

        var decoder = MatrixKeypadDecoder(layout: layout, debounceScans: 1)
        #expect(feed([[Contact(row: 0, column: 1)], [], [Contact(row: 1, column: 1)], []], to: &decoder) == ["Y", nil, nil, nil])
    }

    @Test func contactsOutsideTheLayoutAreIgnored() {
        var decoder = MatrixKeypadDecoder(layout: .threeByFour, debounceScans: 1)

        #expect(decoder.feed(scan: [Contact(row: 0, column: 3), Contact(row: 4, column: 0)]) == nil)
        #expect(decoder.isAtRest)
        #expect(decoder.feed(scan: [Self.nine, Contact(row: 0, column: 7)]) == "9")
    }

    /// Presses and releases every key in turn, row by row, and returns what was typed.
    func typeEveryKey(of layout: MatrixKeypadDecoder.Layout) -> String {
        var decoder = MatrixKeypadDecoder(layout: layout, debounceScans: 2)
        var typed = ""
        for row in 0..<layout.rowCount {
            for column in 0..<layout.columnCount {
                let scans = repeated([Contact(row: row, column: column)], 3) + repeated([], 2)
                typed += String(feed(scans, to: &decoder).compactMap { $0 })
            }
        }
        return typed
    }
}
