/// How many terminal columns a text takes: East Asian wide characters (Chinese, full-width
/// punctuation) take two, so a report's tables in Chinese still line up. The wide ranges of the
/// panel's character-screen layout (which this dependency-free module cannot import), less the
/// curly quotes: a terminal gives those one column.
enum TerminalColumns {
    static func width(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    static func columns(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xAC00...0xD7A3,
             0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
