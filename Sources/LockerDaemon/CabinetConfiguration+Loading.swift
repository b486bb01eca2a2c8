public import Foundation

extension CabinetConfiguration {
    /// Reads, checks and validates a configuration file. Every problem is listed at once: a
    /// syntax error (with its line and column) alone, since nothing after it can be read;
    /// otherwise every unknown key, then the decoder's complaint or every validation problem.
    public static func load(from url: URL) throws -> CabinetConfiguration {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ConfigurationError(problems: ["cannot read \(url.path): \(error.localizedDescription)"])
        }
        return try load(data, name: url.path)
    }

    /// `load(from:)` for bytes already read; `name` prefixes a syntax error's position.
    static func load(_ data: Data, name: String) throws -> CabinetConfiguration {
        // JSONDecoder turns invalid UTF-8 into U+FFFD without a word; a cabinet id or a label
        // changed that way would be wrong everywhere it is sent, so the file is refused.
        if String(validating: data, as: UTF8.self) == nil {
            let valid = validUTF8Prefix(data)
            throw ConfigurationError(problems: ["\(name): byte \(valid) is not valid UTF-8 (the file must be UTF-8 text)"])
        }
        let text = withoutComments(data)
        let tree: ConfigurationJSON
        do throws(ConfigurationJSON.SyntaxError) { tree = try ConfigurationJSON.parse(Array(text)) } catch {
            throw ConfigurationError(problems: ["\(name): \(error.position): \(error.message)"])
        }
        var problems = ConfigurationKeyChecker.problems(in: tree)
        let configuration: CabinetConfiguration
        do { configuration = try JSONDecoder().decode(CabinetConfiguration.self, from: text) } catch {
            throw ConfigurationError(problems: problems + [describe(error)])
        }
        do { try configuration.validate() } catch let error as ConfigurationError { problems += error.problems }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return configuration
    }

    /// The offset of the first byte that does not start (or continue) a UTF-8 character.
    static func validUTF8Prefix(_ data: Data) -> Int {
        let bytes = Array(data)
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            guard index + length <= bytes.count,
                  bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) else { return index }
            index += length
        }
        return index
    }

    /// The file is JSON in which whole lines starting with `//` are comments (so the example can
    /// explain itself). Their bytes become spaces rather than disappearing, so every line, column
    /// and byte offset the parser reports is where the technician's editor shows it.
    static func withoutComments(_ data: Data) -> Data {
        var bytes = Array(data)
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var first = lineStart
            while first < lineEnd, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") { first += 1 }
            if lineEnd - first >= 2, bytes[first] == UInt8(ascii: "/"), bytes[first + 1] == UInt8(ascii: "/") {
                for index in first..<lineEnd where bytes[index] != UInt8(ascii: "\r") { bytes[index] = UInt8(ascii: " ") }
            }
            lineStart = lineEnd + 1
        }
        return Data(bytes)
    }

    /// A decoding error as one line that starts with the JSON path, like the other problems:
    /// `boards[0].channels: required but missing`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not a valid configuration: \(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required but missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "not a valid configuration: \(error)"
        }
    }

    /// `[boards, Index 0, channels]` → `boards[0].channels`; the empty path is the whole file.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue, key.stringValue == "Index \(index)" {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "the configuration" : text
    }

    /// "30 compartments on 2 boards", "1 compartment on 1 board": what `--check-config` confirms.
    public var summary: String {
        func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
        return "\(counted(compartments.count, "compartment")) on \(counted(boards.count, "board"))"
    }
}
