import Foundation

/// What to send to an HD44780 character LCD behind a PCF8574 I2C backpack, and how a message is
/// laid out on it. Pure: `HD44780Display` does the writing and the waiting.
///
/// The backpack drives the LCD in 4-bit mode: every byte for the LCD is sent as its high nibble,
/// then its low nibble, each as two expander writes (E high, then E low: the LCD latches on the
/// falling edge). The backlight bit is kept in every write, or the backlight would flicker.
public struct HD44780Commands: Sendable, Equatable {
    /// Which expander output (bit 0...7) drives which LCD pin.
    public struct BackpackWiring: Sendable, Equatable {
        public let registerSelectBit: Int
        public let readWriteBit: Int
        public let enableBit: Int
        public let backlightBit: Int
        /// D4, D5, D6, D7 in that order.
        public let dataBits: [Int]

        /// Nil unless the eight signals use the eight outputs 0...7, each exactly once.
        public init?(registerSelect: Int, readWrite: Int, enable: Int, backlight: Int, data: [Int]) {
            let all = [registerSelect, readWrite, enable, backlight] + data
            guard data.count == 4, Set(all).count == 8, all.allSatisfy({ (0...7).contains($0) }) else { return nil }
            registerSelectBit = registerSelect
            readWriteBit = readWrite
            enableBit = enable
            backlightBit = backlight
            dataBits = data
        }

        /// The widespread backpack: P0 RS, P1 RW, P2 E, P3 backlight, P4...P7 D4...D7.
        public static let pcf8574Common = BackpackWiring(registerSelect: 0, readWrite: 1, enable: 2, backlight: 3, data: [4, 5, 6, 7])!
    }

    /// The visible characters and where each row starts in the LCD's display memory (DDRAM).
    public struct Geometry: Sendable, Equatable {
        public let columns: Int
        public let rows: Int
        public let rowAddresses: [UInt8]

        /// Nil for a size the controller cannot drive (more than 4 rows, 80 characters, or 40 per row).
        ///
        /// Rows 3 and 4 continue rows 1 and 2 in memory, so they start `columns` after them:
        /// 0x00, 0x40, 0x14, 0x54 on a 20x4, 0x00, 0x40, 0x10, 0x50 on a 16x4.
        public init?(columns: Int, rows: Int) {
            guard (1...4).contains(rows), (1...40).contains(columns), rows * columns <= 80 else { return nil }
            self.columns = columns
            self.rows = rows
            rowAddresses = Array([0x00, 0x40, UInt8(columns), 0x40 + UInt8(columns)].prefix(rows))
        }

        public static let sixteenByTwo = Geometry(columns: 16, rows: 2)!
        public static let twentyByFour = Geometry(columns: 20, rows: 4)!
    }

    /// One thing to do, in order: a write to the expander (one I2C transfer), or a wait the LCD needs.
    public enum Step: Sendable, Equatable {
        case write([UInt8])
        case pause(Duration)
    }

    public static let clearDisplay: UInt8 = 0x01
    /// Cursor moves right after each character; the display does not shift.
    public static let entryModeIncrement: UInt8 = 0x06
    public static let displayOnCursorOff: UInt8 = 0x0C
    /// 4-bit interface, two lines (a 4-row LCD is two lines split in half), 5x8 dots.
    public static let functionSet4Bit2Lines5x8: UInt8 = 0x28
    public static let setDDRAMAddress: UInt8 = 0x80

    /// The LCD accepts a command only after the reset nibble has been executed.
    public static let firstResetNibblePause = Duration.milliseconds(5)
    public static let resetNibblePause = Duration.microseconds(150)
    /// Clear and home take 1.52 ms at the nominal clock; slow clones take longer.
    public static let clearPause = Duration.milliseconds(2)
    /// After power-up the LCD ignores everything for 40 ms (at 2.7 V; 15 ms at 5 V).
    public static let powerUpPause = Duration.milliseconds(50)

    public var geometry: Geometry
    public var wiring: BackpackWiring
    public var backlight: Bool

    public init(geometry: Geometry = .sixteenByTwo, wiring: BackpackWiring = .pcf8574Common, backlight: Bool = true) {
        self.geometry = geometry
        self.wiring = wiring
        self.backlight = backlight
    }

    // MARK: - Byte sequences

    /// The datasheet's "initialisation by instruction" for 4-bit mode: it works whatever state the
    /// LCD is in (just powered, 8-bit mode, or half-way through a byte in 4-bit mode), which is
    /// what makes re-initialising after a failure safe.
    public var initialisation: [Step] {
        [
            // The expander powers up with every output high, E included: bring E low first.
            .write([idleByte]),
            .pause(Self.powerUpPause),
            .write(nibble(0x3, registerSelect: false)),
            .pause(Self.firstResetNibblePause),
            .write(nibble(0x3, registerSelect: false)),
            .pause(Self.resetNibblePause),
            .write(nibble(0x3, registerSelect: false)),
            .pause(Self.resetNibblePause),
            .write(nibble(0x2, registerSelect: false)),
            .write(command(Self.functionSet4Bit2Lines5x8) + command(Self.displayOnCursorOff)),
            .write(command(Self.clearDisplay)),
            .pause(Self.clearPause),
            .write(command(Self.entryModeIncrement)),
        ]
    }

    /// Every row rewritten in full (the padding overwrites the previous message), without a clear,
    /// which would blank the display for a moment and need a pause.
    public func steps(showing text: String) -> [Step] {
        zip(geometry.rowAddresses, layout(text)).map { address, row in
            .write(command(Self.setDDRAMAddress | address) + row.utf8.flatMap { character($0) })
        }
    }

    /// An instruction (RS low).
    public func command(_ value: UInt8) -> [UInt8] {
        nibble(value >> 4, registerSelect: false) + nibble(value & 0x0F, registerSelect: false)
    }

    /// A character code written to display memory (RS high).
    public func character(_ code: UInt8) -> [UInt8] {
        nibble(code >> 4, registerSelect: true) + nibble(code & 0x0F, registerSelect: true)
    }

    /// The low four bits of `value` on D4...D7, strobed: E high, then E low.
    public func nibble(_ value: UInt8, registerSelect: Bool) -> [UInt8] {
        var byte = idleByte
        for (index, bit) in wiring.dataBits.enumerated() where value & (1 << index) != 0 {
            byte |= 1 << bit
        }
        if registerSelect { byte |= 1 << wiring.registerSelectBit }
        return [byte | 1 << wiring.enableBit, byte]
    }

    /// Every LCD line low (RW low: the backpack only ever writes), the backlight as configured.
    private var idleByte: UInt8 {
        backlight ? 1 << wiring.backlightBit : 0
    }

    // MARK: - Layout

    /// The message as exactly `rows` strings of exactly `columns` ASCII characters: words wrapped
    /// at spaces (a word longer than a row is split), explicit line breaks kept, what does not fit
    /// dropped, short rows padded with spaces.
    public func layout(_ text: String) -> [String] {
        let columns = geometry.columns
        var lines: [String] = []
        for paragraph in Self.lcdText(text).split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                var word = word
                if !line.isEmpty && line.count + 1 + word.count <= columns {
                    line += " " + word
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                while word.count > columns {
                    lines.append(String(word.prefix(columns)))
                    word = word.dropFirst(columns)
                }
                line = String(word)
            }
            lines.append(line)
            if lines.count >= geometry.rows { break }
        }
        let visible = lines.prefix(geometry.rows).map { $0 + String(repeating: " ", count: columns - $0.count) }
        return visible + Array(repeating: String(repeating: " ", count: columns), count: geometry.rows - visible.count)
    }

    /// The text in printable ASCII, the part of the character ROM every HD44780 variant shares:
    /// line breaks kept as "\n", other white space as one space, accents stripped ("é" → "e"),
    /// common letters and punctuation spelled out ("ß" → "ss", "–" → "-"), anything else "?".
    /// The two ASCII codes the common A00 (Japanese) ROM draws differently are replaced: 0x5C is
    /// "¥" and 0x7E is "→" there, so "\" is shown as "/" and "~" as "-".
    public static func lcdText(_ text: String) -> String {
        var result = ""
        for character in text {
            if character.isNewline {
                result += "\n"
            } else if character.isWhitespace {
                result += " "
            } else if let ascii = character.asciiValue, (0x20...0x7E).contains(ascii) {
                result += romSafe(String(character))
            } else if let spelled = asciiSpellings[character] {
                result += spelled
            } else if let stripped = withoutMarks(character) {
                result += romSafe(stripped)  // a full-width "＼" or "～" decomposes to the ASCII one
            } else {
                result += "?"
            }
        }
        return result
    }

    /// Printable ASCII with the characters the A00 ROM does not draw as ASCII replaced.
    private static func romSafe(_ ascii: String) -> String {
        guard ascii.contains(where: { romSubstitutes[$0] != nil }) else { return ascii }
        return String(ascii.map { romSubstitutes[$0] ?? $0 })
    }

    /// 0x5C (¥ on the A00 ROM) and 0x7E (→ on it): the nearest shapes the ROM has.
    private static let romSubstitutes: [Character: Character] = ["\\": "/", "~": "-"]

    /// The compatibility decomposition ("é" is "e" + accent, "ﬁ" is "fi", a full-width "Ａ" is
    /// "A") when it is printable ASCII once combining marks are dropped.
    private static func withoutMarks(_ character: Character) -> String? {
        var ascii = ""
        for scalar in String(character).decomposedStringWithCompatibilityMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                guard scalar.isASCII, (0x20...0x7E).contains(scalar.value) else { return nil }
                ascii.unicodeScalars.append(scalar)
            }
        }
        return ascii.isEmpty ? nil : ascii
    }

    /// Letters and signs without a decomposition to ASCII.
    private static let asciiSpellings: [Character: String] = [
        "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
        "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i",
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "“": "\"", "”": "\"", "„": "\"", "«": "\"", "»": "\"",
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "•": "*", "·": ".", "×": "x",
        "€": "EUR", "£": "GBP", "°": "deg",
    ]
}
