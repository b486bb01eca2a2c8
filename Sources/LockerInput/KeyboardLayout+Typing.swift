extension KeyboardLayout {
    /// The key events a HID scanner set to this layout sends to type `text` and end it with ENTER:
    /// shift held around shifted characters, each key pressed and released, a SYN after each
    /// change as the kernel reports them. Nil when a character has no key in the layout.
    ///
    /// The simulated cabinet's scanner types through this, so its codes take the real reader's
    /// path (`KeyEventTranslator` undoes it); tests use it to write real event bytes.
    public func keystrokes(typing text: String) -> [InputEvent]? {
        var byCharacter: [Character: (code: UInt16, shifted: Bool)] = [:]
        // Lowest code first, so that a character on two keys (a digit on the top row and the
        // numeric keypad) always types the same way.
        for (code, keys) in self.keys.sorted(by: { $0.key < $1.key }) {
            if byCharacter[keys.plain] == nil { byCharacter[keys.plain] = (code, false) }
            if byCharacter[keys.shifted] == nil { byCharacter[keys.shifted] = (code, true) }
        }
        var events: [InputEvent] = []
        func key(_ code: UInt16, _ state: InputEvent.KeyState) {
            events.append(InputEvent(type: InputEvent.keyType, code: code, value: state.rawValue))
            events.append(InputEvent(type: InputEvent.syncType, code: 0, value: 0))
        }
        for character in text {
            guard let (code, shifted) = byCharacter[character] else { return nil }
            if shifted { key(KeyEventTranslator.leftShift, .pressed) }
            key(code, .pressed)
            key(code, .released)
            if shifted { key(KeyEventTranslator.leftShift, .released) }
        }
        key(KeyEventTranslator.enter, .pressed)
        key(KeyEventTranslator.enter, .released)
        return events
    }
}
