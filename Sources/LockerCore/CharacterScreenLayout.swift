/// How a panel message is laid out on a character display of `columns` x `rows` cells: wrapped
/// into lines, the lines cut into pages of `rows` that the panel turns by a timer.
///
/// The rules, which `CharacterScreenLayoutTests` checks for every message in every language:
/// - no line is wider than the display; a CJK character takes two cells (as on the GB2312
///   controllers that draw them), everything else one;
/// - lines break at spaces, and between two CJK characters (Chinese has no spaces), never inside
///   a word unless the word alone is wider than a line (a 40-character tracking number);
/// - a CJK closing mark ("，" "。" "）") never starts a line;
/// - a part marked `ownLine` (the pickup code) gets a line to itself and is never cut;
/// - nothing is dropped: the pages hold every character of the message in order.
public struct CharacterScreenLayout: Sendable, Equatable {
    public let columns: Int
    public let rows: Int

    public init(columns: Int, rows: Int) {
        precondition(columns >= 2 && rows >= 1, "a character screen has at least 2 columns and 1 row")
        self.columns = columns
        self.rows = rows
    }

    public static let sixteenByTwo = CharacterScreenLayout(columns: 16, rows: 2)
    public static let twentyByFour = CharacterScreenLayout(columns: 20, rows: 4)

    /// The message's lines, each at most `columns` cells wide.
    public func lines(_ text: PanelText) -> [String] {
        laidOut(text).map(\.text)
    }

    /// The pages, each `rows` lines (the last may have fewer) joined by "\n". A line that stands
    /// on its own (the code) never opens a page alone: the line before it comes along ("Pickup
    /// code" above the code), repeated from the page before.
    public func pages(_ text: PanelText) -> [String] {
        let lines = laidOut(text)
        guard !lines.isEmpty else { return [""] }
        var pages: [[String]] = []
        var page: [String] = []
        for (index, line) in lines.enumerated() {
            if page.count == rows {
                pages.append(page)
                page = line.ownLine && rows >= 2 && index > 0 ? [lines[index - 1].text] : []
            }
            page.append(line.text)
        }
        pages.append(page)
        return pages.map { $0.joined(separator: "\n") }
    }

    private struct Line {
        var text: String
        var ownLine: Bool
    }

    private func laidOut(_ text: PanelText) -> [Line] {
        var lines: [Line] = []
        var line = ""
        var width = 0
        func finishLine() {
            if !line.isEmpty { lines.append(Line(text: line, ownLine: false)) }
            line = ""
            width = 0
        }
        for part in text.parts {
            if part.ownLine {
                finishLine()
                lines += hardWrapped(part.text).map { Line(text: $0, ownLine: true) }
                continue
            }
            for token in Self.tokens(part.text + part.trailing, spaceBefore: text.language.partSeparator == " ") {
                let tokenWidth = Self.width(of: token.text)
                let gap = line.isEmpty || !token.spaceBefore ? 0 : 1
                if width + gap + tokenWidth <= columns {
                    line += (gap == 1 ? " " : "") + token.text
                    width += gap + tokenWidth
                    continue
                }
                finishLine()
                if tokenWidth <= columns {
                    line = token.text
                    width = tokenWidth
                } else {
                    var pieces = hardWrapped(token.text)
                    let last = pieces.removeLast()
                    lines += pieces.map { Line(text: $0, ownLine: false) }
                    line = last
                    width = Self.width(of: last)
                }
            }
        }
        finishLine()
        return lines
    }

    /// The cells a character takes: two for the East Asian wide and full-width ranges (CJK
    /// ideographs, kana, hangul, full-width forms and punctuation, and the curly quotes GB2312
    /// draws full-width), else one.
    public static func columns(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first else { return 0 }
        switch scalar.value {
        case 0x1100...0x115F, 0x2018...0x201D, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    public static func width(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    /// Text too wide for one line cut into lines by width (a code or a word that must be split).
    private func hardWrapped(_ text: String) -> [String] {
        var pieces: [String] = []
        var piece = ""
        var width = 0
        for character in text {
            let cells = Self.columns(of: character)
            if width + cells > columns {
                pieces.append(piece)
                piece = ""
                width = 0
            }
            piece.append(character)
            width += cells
        }
        pieces.append(piece)
        return pieces
    }

    /// What a line may break before: a word, or a single CJK character (with any closing marks
    /// after it, so they never start a line). `spaceBefore`: a space separated it from the token
    /// before (kept when both are on one line).
    struct Token: Equatable {
        var text: String
        var spaceBefore: Bool
    }

    static func tokens(_ text: String, spaceBefore: Bool) -> [Token] {
        var tokens: [Token] = []
        var pendingSpace = spaceBefore
        var inWord = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = true
                inWord = false
                continue
            }
            let isWide = columns(of: character) == 2
            if let last = tokens.indices.last, !pendingSpace,
               (isWide && closingMarks.contains(character)) || (!isWide && inWord) {
                tokens[last].text.append(character)
            } else {
                tokens.append(Token(text: String(character), spaceBefore: pendingSpace))
            }
            inWord = !isWide
            pendingSpace = false
        }
        return tokens
    }

    /// Marks that close a phrase and must not start a line (the usual line-breaking rule for Chinese).
    public static let closingMarks: Set<Character> = ["，", "。", "、", "：", "；", "！", "？", "）", "」", "』", "》", "”", "’"]
}
