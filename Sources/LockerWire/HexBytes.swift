/// Hex text for frames, as vendor sheets, vector tables and logs write them: two uppercase digits
/// per byte, separated by single spaces ("02 00 31 03 36").
public enum HexBytes {
    /// "0F" for 15.
    public static func format(_ byte: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// "02 00 31 03 36"; an empty sequence gives "".
    public static func format(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { format($0) }.joined(separator: " ")
    }

    /// At most `limit` bytes, then "..." and the count of the rest, so that a log line stays short
    /// when a decoder drops a long run of noise.
    public static func preview(_ bytes: some Collection<UInt8>, limit: Int = 16) -> String {
        guard bytes.count > limit else { return format(bytes) }
        return format(bytes.prefix(limit)) + " ... (\(bytes.count - limit) more)"
    }

    /// Parses bytes written as two hex digits each (either case), separated by spaces or tabs:
    /// "02 00 31 03 36". Returns nil for anything else (a one-digit or three-digit group, a
    /// non-hex character), so that a typing mistake in a vector table is an error, not a
    /// different frame. An empty or all-blank text gives no bytes.
    public static func parse(_ text: some StringProtocol) -> [UInt8]? {
        var bytes: [UInt8] = []
        for group in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard group.count == 2,
                  let high = group.first.flatMap(digitValue),
                  let low = group.last.flatMap(digitValue)
            else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func digitValue(_ character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return ascii - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ascii - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
