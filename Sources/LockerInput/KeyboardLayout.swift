/// Which character a key code (linux/input-event-codes.h) types, unshifted and shifted. A HID
/// scanner in keyboard mode "types" its code through this table; scanners set to another layout
/// (German, French) need theirs, given in the configuration as extra entries over US.
public struct KeyboardLayout: Sendable, Equatable {
    public struct Keys: Sendable, Equatable {
        public var plain: Character
        public var shifted: Character

        public init(_ plain: Character, _ shifted: Character) {
            self.plain = plain
            self.shifted = shifted
        }
    }

    public var keys: [UInt16: Keys]

    public init(keys: [UInt16: Keys]) {
        self.keys = keys
    }

    /// US QWERTY: digits, letters and the punctuation barcodes use.
    public static let us: KeyboardLayout = {
        var keys: [UInt16: Keys] = [:]
        let digitRow: [(UInt16, Character, Character)] = [
            (2, "1", "!"), (3, "2", "@"), (4, "3", "#"), (5, "4", "$"), (6, "5", "%"), (7, "6", "^"), (8, "7", "&"),
            (9, "8", "*"), (10, "9", "("), (11, "0", ")"), (12, "-", "_"), (13, "=", "+"),
        ]
        for (code, plain, shifted) in digitRow { keys[code] = Keys(plain, shifted) }
        let letterRows: [(UInt16, String)] = [(16, "qwertyuiop"), (30, "asdfghjkl"), (44, "zxcvbnm")]
        for (first, letters) in letterRows {
            for (offset, letter) in letters.enumerated() {
                keys[first + UInt16(offset)] = Keys(letter, Character(letter.uppercased()))
            }
        }
        let punctuation: [(UInt16, Character, Character)] = [
            (26, "[", "{"), (27, "]", "}"), (39, ";", ":"), (40, "'", "\""), (41, "`", "~"), (43, "\\", "|"),
            (51, ",", "<"), (52, ".", ">"), (53, "/", "?"), (57, " ", " "),
        ]
        for (code, plain, shifted) in punctuation { keys[code] = Keys(plain, shifted) }
        // The numeric keypad (KP0...KP9, KPMINUS, KPPLUS, KPDOT, KPSLASH, KPASTERISK).
        let keypad: [(UInt16, Character)] = [
            (82, "0"), (79, "1"), (80, "2"), (81, "3"), (75, "4"), (76, "5"), (77, "6"), (71, "7"), (72, "8"), (73, "9"),
            (74, "-"), (78, "+"), (83, "."), (98, "/"), (55, "*"),
        ]
        for (code, character) in keypad { keys[code] = Keys(character, character) }
        return KeyboardLayout(keys: keys)
    }()

    /// This layout with `overrides` on top (a scanner configured for another national layout).
    public func with(_ overrides: [UInt16: Keys]) -> KeyboardLayout {
        KeyboardLayout(keys: keys.merging(overrides) { _, new in new })
    }
}
