/// Turns evdev key events from a HID scanner in keyboard mode into the codes it scanned: shift
/// and CapsLock are tracked, each key press types its character, and ENTER (or keypad ENTER) ends
/// the code. Key releases and autorepeat are ignored; a key the layout does not know is reported,
/// and the code it was in is refused at its end rather than delivered with a character missing.
///
/// CapsLock is a toggle the scanner manages (some scanners press it around a run of capitals
/// instead of holding shift), so its state is kept from one code to the next, as the scanner
/// expects of the host. Like a keyboard's, it changes letters only: caps and shift together type
/// a lower-case letter, and digits and punctuation follow shift alone.
///
/// When the kernel's event buffer overflows it throws away the events not yet read and reports
/// `SYN_DROPPED`: the code those events belonged to is refused, however complete it looks, and
/// shift and CapsLock go back to released and off (the state between codes), as the presses
/// and releases that would say otherwise may be among the lost events.
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
    /// EV_SYN's code for "events were lost" (linux/input-event-codes.h).
    static let synDropped: UInt16 = 3

    public let layout: KeyboardLayout
    public let maximumLength: Int
    private var shiftHeld: Set<UInt16> = []
    private var capsLockOn = false
    private var typed: [Character] = []
    private var problem: String?

    public init(layout: KeyboardLayout = .us, maximumLength: Int = 512) {
        self.layout = layout
        self.maximumLength = maximumLength
    }

    public mutating func handle(_ event: InputEvent) -> Output? {
        if event.type == InputEvent.syncType && event.code == Self.synDropped {
            eventsWereDropped()
            return nil
        }
        guard event.type == InputEvent.keyType, let state = InputEvent.KeyState(rawValue: event.value) else { return nil }
        let code = event.code
        if code == Self.leftShift || code == Self.rightShift {
            if state == .released { shiftHeld.remove(code) } else { shiftHeld.insert(code) }
            return nil
        }
        guard state == .pressed else { return nil }
        if code == Self.enter || code == Self.keypadEnter { return finish() }
        if code == Self.capsLock {
            capsLockOn.toggle()
            return nil
        }
        guard let keys = layout.keys[code] else {
            problem = problem ?? "key code \(code) is not in the scanner's keyboard layout"
            return nil
        }
        if typed.count >= maximumLength {
            problem = problem ?? "longer than \(maximumLength) characters"
            return nil
        }
        typed.append(character(of: keys))
        return nil
    }

    /// What the key types now: CapsLock inverts shift for a letter (a key with a lower- and an
    /// upper-case letter) and leaves every other key alone.
    private func character(of keys: KeyboardLayout.Keys) -> Character {
        let isLetter = keys.plain.isLetter && keys.shifted.isLetter
        let shifted = !shiftHeld.isEmpty
        return (isLetter ? shifted != capsLockOn : shifted) ? keys.shifted : keys.plain
    }

    private mutating func eventsWereDropped() {
        problem = problem ?? "events were dropped by the kernel"
        shiftHeld.removeAll()
        capsLockOn = false
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
