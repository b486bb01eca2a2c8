/// Turns evdev key events from a HID scanner in keyboard mode into the codes it scanned: shift
/// is tracked, each key press types its character, and ENTER (or keypad ENTER) ends the code.
/// Key releases and autorepeat are ignored; a key the layout does not know is reported, and the
/// code it was in is refused at its end rather than delivered with a character missing.
public struct KeyEventTranslator: Sendable {
    public enum Output: Sendable, Equatable {
        case code(String)
        case refused(reason: String)
    }

    static let leftShift: UInt16 = 42
    static let rightShift: UInt16 = 54
    static let capsLock: UInt16 = 58
    static let enter: UInt16 = 28
    static let keypadEnter: UInt16 = 96

    public let layout: KeyboardLayout
    public let maximumLength: Int
    private var shiftHeld: Set<UInt16> = []
    private var typed: [Character] = []
    private var problem: String?

    public init(layout: KeyboardLayout = .us, maximumLength: Int = 512) {
        self.layout = layout
        self.maximumLength = maximumLength
    }

    public mutating func handle(_ event: InputEvent) -> Output? {
        guard event.type == InputEvent.keyType, let state = InputEvent.KeyState(rawValue: event.value) else { return nil }
        let code = event.code
        if code == Self.leftShift || code == Self.rightShift {
            if state == .released { shiftHeld.remove(code) } else { shiftHeld.insert(code) }
            return nil
        }
        guard state == .pressed else { return nil }
        if code == Self.enter || code == Self.keypadEnter { return finish() }
        if code == Self.capsLock { return nil }
        guard let keys = layout.keys[code] else {
            problem = problem ?? "key code \(code) is not in the scanner's keyboard layout"
            return nil
        }
        if typed.count >= maximumLength {
            problem = problem ?? "longer than \(maximumLength) characters"
            return nil
        }
        typed.append(shiftHeld.isEmpty ? keys.plain : keys.shifted)
        return nil
    }

    private mutating func finish() -> Output? {
        defer {
            typed.removeAll(keepingCapacity: true)
            problem = nil
        }
        if let problem { return .refused(reason: problem) }
        return typed.isEmpty ? nil : .code(String(typed))
    }
}
