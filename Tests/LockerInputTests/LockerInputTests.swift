import LockerInput
import LockerTestSupport
import Testing

@Suite struct ScannerLineFramerTests {
    @Test func codesEndWithCRLFOrCRLFAndSurviveAnyChunking() {
        let stream = Array("SF1000000001\rSF1000000002\nSF1000000003\r\n\r\nLKT1.abc.def\r\n".utf8)
        var random = SplitMix64(seed: 6)
        for _ in 0..<50 {
            var framer = ScannerLineFramer()
            var outputs: [ScannerLineFramer.Output] = []
            var rest = stream[...]
            while !rest.isEmpty {
                let take = Int(random.next() % 7) + 1
                outputs += framer.feed(rest.prefix(take))
                rest = rest.dropFirst(take)
            }
            #expect(outputs == ["SF1000000001", "SF1000000002", "SF1000000003", "LKT1.abc.def"].map { .code($0) })
        }
    }

    @Test func overLongAndBinaryLinesAreRefusedWithTheirReasonAndTheNextLineIsRead() {
        var framer = ScannerLineFramer(maximumLength: 8)
        let outputs = framer.feed(Array("123456789012\nAB\u{01}C\nOK1\n".utf8) + [0xFF, 0x0A])
        #expect(outputs.count == 4)
        #expect(outputs[0] == .refused(reason: "longer than 8 characters"))
        #expect(outputs[1] == .refused(reason: "not printable ASCII (byte 0x1)"))
        #expect(outputs[2] == .code("OK1"))
        #expect(outputs[3] == .refused(reason: "not printable ASCII (byte 0xFF)"))
    }
}

@Suite struct EvdevTests {
    static func key(_ code: UInt16, _ state: Int32) -> InputEvent { InputEvent(type: InputEvent.keyType, code: code, value: state) }

    /// What a HID scanner sends for a string: shift around capitals, press and release per key.
    static func typing(_ text: String) -> [InputEvent] {
        let layout = KeyboardLayout.us
        var events: [InputEvent] = []
        for character in text {
            // The main block's keys, not the numeric keypad's (a scanner types with those).
            guard let (code, keys) = layout.keys.first(where: {
                ($0.key < 71 || $0.key > 98) && ($0.value.plain == character || $0.value.shifted == character)
            }) else { continue }
            let shifted = keys.plain != character
            if shifted { events.append(key(42, 1)) }
            events += [key(code, 1), InputEvent(type: InputEvent.syncType, code: 0, value: 0), key(code, 0)]
            if shifted { events.append(key(42, 0)) }
        }
        return events + [key(28, 1), key(28, 0)]
    }

    @Test func rawEventBytesDecodeWhateverTheReadSizesOn64And32BitLayouts() {
        let events = Self.typing("Ab1") + [InputEvent(seconds: -2, microseconds: 999_999, type: 4, code: 4, value: -7)]
        for timeval in [16, 8] {
            let bytes = events.flatMap { $0.bytes(timevalBytes: timeval) }
            var decoder = InputEventDecoder(timevalBytes: timeval)
            var decoded: [InputEvent] = []
            var offset = 0
            var size = 1
            while offset < bytes.count {
                decoded += decoder.feed(bytes[offset..<min(bytes.count, offset + size)])
                offset += size
                size = size % 29 + 3
            }
            #expect(decoded == events)
        }
    }

    @Test func shiftedKeysTypeCapitalsAndEnterEndsTheCode() {
        var translator = KeyEventTranslator()
        let outputs = Self.typing("SF1000000001").compactMap { translator.handle($0) }
            + Self.typing("LKT1.aB-c_d").compactMap { translator.handle($0) }
        #expect(outputs == [.code("SF1000000001"), .code("LKT1.aB-c_d")])
    }

    @Test func anUnknownKeyRefusesItsCodeAndAnotherLayoutCanBeGiven() {
        var translator = KeyEventTranslator()
        var outputs = [Self.key(30, 1), Self.key(200, 1), Self.key(28, 1)].compactMap { translator.handle($0) }
        outputs += Self.typing("ok").compactMap { translator.handle($0) }
        #expect(outputs == [.refused(reason: "key code 200 is not in the scanner's keyboard layout"), .code("ok")])
        // A German scanner: Z and Y swapped.
        var german = KeyEventTranslator(layout: KeyboardLayout.us.with([21: .init("z", "Z"), 44: .init("y", "Y")]))
        let typed = [Self.key(21, 1), Self.key(44, 1), Self.key(96, 1)].compactMap { german.handle($0) }
        #expect(typed == [.code("zy")])
    }
}

/// What the translator does with the kernel's lost events and with a scanner that uses CapsLock.
@Suite struct KeyEventTranslatorTests {
    static func key(_ code: UInt16, _ state: Int32) -> InputEvent { EvdevTests.key(code, state) }
    static func typing(_ text: String) -> [InputEvent] { EvdevTests.typing(text) }

    static let synDropped = InputEvent(type: InputEvent.syncType, code: 3, value: 0)

    @Test func aCodeTheKernelDroppedEventsFromIsRefusedAndTheNextOneIsRead() {
        var translator = KeyEventTranslator()
        // The buffer overflowed while shift was held for "K": its release is among the lost events.
        let scanned = Array(Self.typing("LKT1.ab").dropLast(2))  // without its ENTER
        let outputs = (scanned + [Self.key(42, 1), Self.synDropped, Self.key(32, 1), Self.key(28, 1), Self.key(28, 0)])
            .compactMap { translator.handle($0) }
            + Self.typing("ok1").compactMap { translator.handle($0) }
        #expect(outputs == [.refused(reason: "events were dropped by the kernel"), .code("ok1")],
                "refused although it ends with ENTER; shift is not still held for the next code")
    }

    @Test func eventsDroppedBetweenCodesRefuseTheCodeTheyWereTheStartOf() {
        var translator = KeyEventTranslator()
        let outputs = (Self.typing("SF1") + [Self.synDropped] + Self.typing("000042") + Self.typing("SF2"))
            .compactMap { translator.handle($0) }
        #expect(outputs == [.code("SF1"), .refused(reason: "events were dropped by the kernel"), .code("SF2")])
    }

    /// CapsLock pressed and released: the toggle a scanner uses instead of holding shift.
    static let capsLock = [key(58, 1), key(58, 0)]

    @Test func capsLockTogglesTheCaseOfLettersOnly() {
        var translator = KeyEventTranslator()
        let letterA = [Self.key(30, 1), Self.key(30, 0)]
        let digitOne = [Self.key(2, 1), Self.key(2, 0)]
        let minus = [Self.key(12, 1), Self.key(12, 0)]
        func shifted(_ events: [InputEvent]) -> [InputEvent] { [Self.key(42, 1)] + events + [Self.key(42, 0)] }
        let events = letterA + Self.capsLock + letterA + digitOne + minus + shifted(letterA) + shifted(digitOne)
            + [Self.key(58, 2)] + letterA  // autorepeat of CapsLock does not toggle it
            + Self.capsLock + letterA + [Self.key(28, 1)]
        #expect(events.compactMap { translator.handle($0) } == [.code("aA1-a!Aa")],
                "caps types capitals, caps with shift lower case; digits and punctuation follow shift alone")
    }

    @Test func capsLockStaysOnFromOneCodeToTheNext() {
        var translator = KeyEventTranslator()
        let outputs = (Self.capsLock + Self.typing("sf1") + Self.typing("ab") + Self.capsLock + Self.typing("cd"))
            .compactMap { translator.handle($0) }
        #expect(outputs == [.code("SF1"), .code("AB"), .code("cd")], "the scanner toggles it; ENTER does not reset it")
    }

    @Test func droppedEventsTurnCapsLockOffAsBetweenCodes() {
        var translator = KeyEventTranslator()
        let outputs = (Self.capsLock + Self.typing("ab") + [Self.synDropped] + Self.typing("cd") + Self.typing("ef"))
            .compactMap { translator.handle($0) }
        #expect(outputs == [.code("AB"), .refused(reason: "events were dropped by the kernel"), .code("ef")])
    }
}
