/// The configuration file as a JSON tree that remembers where each object key stands.
///
/// Foundation's parsers on Linux report a syntax error at best as "around character N" (and a
/// truncated file with no position at all), and they keep neither duplicate keys nor positions.
/// A technician editing the file on a cabinet needs a line and a column, so the file is parsed
/// here first (strict RFC 8259 JSON); the decoders then read the same bytes.
struct ConfigurationJSON: Sendable {
    /// A place in the file: both 1-based; the column counts characters, not bytes.
    struct Position: Sendable, Equatable, CustomStringConvertible {
        var line: Int
        var column: Int
        var description: String { "line \(line), column \(column)" }
    }

    struct Member: Sendable {
        var key: String
        var position: Position
        var value: ConfigurationJSON
    }

    enum Value: Sendable {
        /// Members in file order, duplicates kept (so they can be reported).
        case object([Member])
        case array([ConfigurationJSON])
        case string(String)
        case number
        case bool
        case null
    }

    struct SyntaxError: Error, Sendable, CustomStringConvertible {
        var position: Position
        var message: String
        var description: String { "\(position): \(message)" }
    }

    var value: Value
    var position: Position

    /// Parses a whole file; anything after the top-level value but whitespace is an error.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> ConfigurationJSON {
        var parser = Parser(bytes: bytes)
        // An editor may save a UTF-8 byte order mark; it is not content.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            parser.index = 3
            parser.lineStart = 3
        }
        let root = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < bytes.count {
            throw parser.error("unexpected \(parser.found()) after the end of the configuration (is a { or [ missing?)")
        }
        return root
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var lineStart = 0

        /// Deeper than any configuration; stops a pathological file from exhausting the stack.
        static let maximumDepth = 64

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var position: Position {
            // Continuation bytes (10xxxxxx) do not start a character.
            let characters = bytes[lineStart..<index].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return Position(line: line, column: characters + 1)
        }

        func error(_ message: String) -> SyntaxError {
            SyntaxError(position: position, message: message)
        }

        /// What stands at the current position, for messages: a word is shown whole
        /// (`boards`, `True`), so an unquoted key or a misspelt literal is recognisable.
        func found() -> String {
            guard index < bytes.count else { return "end of file" }
            let isWordByte = { (byte: UInt8) in
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
            }
            var end = index
            while end < bytes.count, isWordByte(bytes[end]), end - index < 40 { end += 1 }
            if end > index { return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'" }
            // One whole character, however many bytes it takes.
            end = index + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[index..<end], as: UTF8.self))'"
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0D:
                    index += 1
                case 0x0A:
                    index += 1
                    line += 1
                    lineStart = index
                default:
                    return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(SyntaxError) -> ConfigurationJSON {
            skipWhitespace()
            let start = position
            guard index < bytes.count else { throw error("expected a value, found end of file") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard depth < Self.maximumDepth else { throw error("nested too deeply") }
                return ConfigurationJSON(value: .object(try parseObject(depth: depth)), position: start)
            case UInt8(ascii: "["):
                guard depth < Self.maximumDepth else { throw error("nested too deeply") }
                return ConfigurationJSON(value: .array(try parseArray(depth: depth)), position: start)
            case UInt8(ascii: "\""):
                return ConfigurationJSON(value: .string(try parseString()), position: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try parseNumber()
                return ConfigurationJSON(value: .number, position: start)
            default:
                for (word, value) in [("true", Value.bool), ("false", .bool), ("null", .null)] where matches(word) {
                    index += word.utf8.count
                    return ConfigurationJSON(value: value, position: start)
                }
                throw error("expected a value (object, array, string, number, true, false or null), found \(found())")
            }
        }

        /// The literal `word` at the current position, not followed by more letters (`nullx`).
        func matches(_ word: String) -> Bool {
            let utf8 = Array(word.utf8)
            guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return false }
            let after = index + utf8.count
            return after == bytes.count || !(bytes[after] >= 0x61 && bytes[after] <= 0x7A)
        }

        mutating func parseObject(depth: Int) throws(SyntaxError) -> [Member] {
            index += 1  // {
            var members: [Member] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return members
            }
            while true {
                skipWhitespace()
                let keyPosition = position
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                    if index < bytes.count, bytes[index] == UInt8(ascii: "}"), !members.isEmpty {
                        throw error("a comma before '}' is not allowed in JSON")
                    }
                    throw error("expected a key in double quotes, found \(found())")
                }
                let key = try parseString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                    throw error("expected ':' after the key \"\(key)\", found \(found())")
                }
                index += 1
                let value = try parseValue(depth: depth + 1)
                members.append(Member(key: key, position: keyPosition, value: value))
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or '}', found end of file (is a '}' missing?)") }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return members
                default: throw error("expected ',' or '}' after the value of \"\(key)\", found \(found()) (is a comma missing?)")
                }
            }
        }

        mutating func parseArray(depth: Int) throws(SyntaxError) -> [ConfigurationJSON] {
            index += 1  // [
            var elements: [ConfigurationJSON] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return elements
            }
            while true {
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]"), !elements.isEmpty {
                    throw error("a comma before ']' is not allowed in JSON")
                }
                elements.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or ']', found end of file (is a ']' missing?)") }
                switch bytes[index] {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return elements
                default: throw error("expected ',' or ']' after an element, found \(found()) (is a comma missing?)")
                }
            }
        }

        mutating func parseString() throws(SyntaxError) -> String {
            let opening = position
            index += 1  // "
            var utf8: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { break }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"): utf8 += try parseUnicodeEscape()
                    default:
                        index -= 2
                        throw error("unknown escape \\\(String(decoding: [escaped], as: UTF8.self)) in a string")
                    }
                case 0x0A:
                    throw SyntaxError(position: opening, message: "a string starting here runs to the end of the line (is a '\"' missing?)")
                case 0..<0x20:
                    throw error("a control character in a string must be escaped")
                default:
                    utf8.append(byte)
                    index += 1
                }
            }
            throw SyntaxError(position: opening, message: "a string starting here is not closed (is a '\"' missing?)")
        }

        /// After `\u`: four hex digits, and a second escape for a character beyond the BMP.
        mutating func parseUnicodeEscape() throws(SyntaxError) -> [UInt8] {
            let high = try hexQuad()
            var scalar = Unicode.Scalar(high)
            if (0xD800...0xDBFF).contains(high), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                index += 2
                let low = try hexQuad()
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
            }
            return Array(String(Character(scalar ?? "\u{FFFD}")).utf8)
        }

        mutating func hexQuad() throws(SyntaxError) -> UInt32 {
            guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw error("\\u must be followed by four hex digits")
            }
            index += 4
            return value
        }

        mutating func parseNumber() throws(SyntaxError) {
            let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
            func digits() -> Int {
                let start = index
                while index < bytes.count, isDigit(bytes[index]) { index += 1 }
                return index - start
            }
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = digits()
            guard integerDigits > 0 else { throw error("a number needs digits after '-'") }
            if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") {
                index = integerStart
                throw error("a number must not start with 0 (JSON has no octal; write 8, not 08)")
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw error("a number needs digits after '.'") }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error("a number needs digits in its exponent") }
            }
            // `0x27`, `12ms`: a word glued to a number is never valid JSON.
            if index < bytes.count, (0x41...0x5A).contains(bytes[index]) || (0x61...0x7A).contains(bytes[index]) {
                index = start
                throw error("\(found()) is not a JSON number (write hex or units as a string, e.g. \"0x27\")")
            }
        }
    }
}
