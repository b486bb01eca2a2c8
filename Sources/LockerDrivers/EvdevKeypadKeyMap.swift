public import LockerHAL
public import LockerInput

/// Which cabinet key an evdev key code (linux/input-event-codes.h) is, for a USB numeric keypad.
///
/// Keypads send the same codes whatever their NumLock state (NumLock only changes how a console
/// translates them), so the map is by code. The default suits the common 17- and 18-key pads:
/// digits (keypad or top row), ENTER, BACKSPACE or '.' for back, ESC, '*' or '-' for clear, and
/// '+' or '/' for the courier/menu key. Integrators with another pad give their own map.
public struct EvdevKeypadKeyMap: Sendable, Equatable {
    public var keys: [UInt16: HardwareKey]

    public init(keys: [UInt16: HardwareKey]) {
        self.keys = keys
    }

    public static let standard: EvdevKeypadKeyMap = {
        var keys: [UInt16: HardwareKey] = [:]
        // KEY_KP0...KEY_KP9 are not in order of value on the pad.
        let keypadDigits: [(UInt16, UInt8)] = [(82, 0), (79, 1), (80, 2), (81, 3), (75, 4), (76, 5), (77, 6), (71, 7), (72, 8), (73, 9)]
        for (code, digit) in keypadDigits { keys[code] = .digit(digit) }
        // KEY_1...KEY_0 of a full keyboard's top row (some pads are keyboards).
        for offset in 0..<9 { keys[UInt16(2 + offset)] = .digit(UInt8(offset + 1)) }
        keys[11] = .digit(0)
        keys[96] = .enter   // KEY_KPENTER
        keys[28] = .enter   // KEY_ENTER
        keys[14] = .back    // KEY_BACKSPACE
        keys[83] = .back    // KEY_KPDOT
        keys[1] = .clear    // KEY_ESC
        keys[55] = .clear   // KEY_KPASTERISK
        keys[74] = .clear   // KEY_KPMINUS
        keys[78] = .menu    // KEY_KPPLUS
        keys[98] = .menu    // KEY_KPSLASH
        return EvdevKeypadKeyMap(keys: keys)
    }()

    public enum Press: Sendable, Equatable {
        case key(HardwareKey)
        case unmapped(code: UInt16)
    }

    /// The key pressed in `event`; nil for releases, autorepeat and anything not a key.
    public func press(in event: InputEvent) -> Press? {
        guard event.type == InputEvent.keyType, event.value == InputEvent.KeyState.pressed.rawValue else { return nil }
        return keys[event.code].map(Press.key) ?? .unmapped(code: event.code)
    }
}
