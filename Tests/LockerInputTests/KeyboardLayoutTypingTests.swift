import LockerInput
import Testing

/// Typing text as a scanner would and translating it back gives the text: the simulated scanner
/// relies on this round trip.
@Suite struct KeyboardLayoutTypingTests {
    @Test func typedTextTranslatesBackToItself() throws {
        for text in ["SF1234567890", "lkt1.eyJ0eXAi-_~", "A B:C\"D|{}", "0"] {
            var translator = KeyEventTranslator()
            let outputs = try #require(KeyboardLayout.us.keystrokes(typing: text)).compactMap { translator.handle($0) }
            #expect(outputs == [.code(text)])
        }
    }

    @Test func aCharacterWithoutAKeyCannotBeTyped() {
        #expect(KeyboardLayout.us.keystrokes(typing: "café") == nil)
    }

    @Test func shiftIsPressedAroundShiftedCharactersOnly() throws {
        let events = try #require(KeyboardLayout.us.keystrokes(typing: "aA"))
        let presses = events.filter { $0.type == InputEvent.keyType && $0.value == 1 }.map(\.code)
        #expect(presses == [30, 42, 30, 28])  // a, shift, a, enter
    }
}
