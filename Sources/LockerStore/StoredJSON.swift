import Foundation
import LockerCore

/// The JSON text a custody commit stores: an event's payload (hashed into the chain as written)
/// and a door's pending operation. Both are written here without `JSONEncoder` for the shapes a
/// pickup commits: the encoder's boxing of every value was about half of the CPU a pickup's
/// transaction spent before its fsync, and the unlock waits for that transaction. A payload is
/// byte for byte what `JSONEncoder` with sorted keys writes; a pending operation, which is read
/// back and never hashed, the same object (`StoredJSONTests` compares both on random values).
///
/// Anything else (a payload with a floating-point value, whose digits `JSONEncoder` chooses by
/// rules of its own; every other pending operation) goes through `JSONEncoder` as before.
enum StoredJSON {
    /// An event payload with sorted keys.
    static func payload(_ payload: [String: EventValue]) throws -> String {
        if let text = fastPayload(payload) { return text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(payload), as: UTF8.self)
    }

    /// A pending operation, as its synthesized `Codable` conformance writes it.
    static func pendingOperation(_ operation: PendingOperation) throws -> String {
        if case .pickup(let parcelIDs, let codeHash) = operation {
            var text = ""
            text.reserveCapacity(48 + codeHash.utf8.count + 21 * parcelIDs.count)
            text += #"{"pickup":{"parcelIDs":"#
            appendIntegers(parcelIDs, to: &text)
            text += #","codeHash":"#
            appendString(codeHash, to: &text)
            text += "}}"
            return text
        }
        return String(decoding: try JSONEncoder().encode(operation), as: UTF8.self)
    }

    private static func fastPayload(_ payload: [String: EventValue]) -> String? {
        // Byte order is the encoder's order for ASCII keys (every key lockerd writes); any other
        // key goes the encoder's way.
        guard payload.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) else { return nil }
        var text = ""
        text.reserveCapacity(256)
        text += "{"
        for (index, key) in payload.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { text += "," }
            appendString(key, to: &text)
            text += ":"
            switch payload[key]! {
            case .string(let value): appendString(value, to: &text)
            case .int(let value): text += String(value)
            case .bool(let value): text += value ? "true" : "false"
            case .strings(let values):
                text += "["
                for (position, value) in values.enumerated() {
                    if position > 0 { text += "," }
                    appendString(value, to: &text)
                }
                text += "]"
            case .ints(let values): appendIntegers(values, to: &text)
            case .double: return nil
            }
        }
        text += "}"
        return text
    }

    private static func appendIntegers(_ values: [Int64], to text: inout String) {
        text += "["
        for (position, value) in values.enumerated() {
            if position > 0 { text += "," }
            text += String(value)
        }
        text += "]"
    }

    /// A JSON string as `JSONEncoder` escapes it: the quote, the backslash and the slash;
    /// \b \f \n \r \t by name; other control characters as \u00XX (lower-case hex); the rest as is.
    private static func appendString(_ value: String, to text: inout String) {
        // Most strings (a code hash, a tracking number, a key) need no escape: appended whole,
        // not scalar by scalar.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "/") }) {
            text += "\""
            text += value
            text += "\""
            return
        }
        text += "\""
        var plainStart = value.unicodeScalars.startIndex
        var index = plainStart
        let scalars = value.unicodeScalars
        while index != scalars.endIndex {
            let scalar = scalars[index]
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "/": escape = "\\/"
            case "\u{8}": escape = "\\b"
            case "\u{c}": escape = "\\f"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{0}"..."\u{1f}":
                let hex = String(scalar.value, radix: 16)
                escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: escape = nil
            }
            if let escape {
                text.unicodeScalars.append(contentsOf: scalars[plainStart..<index])
                text += escape
                plainStart = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        text.unicodeScalars.append(contentsOf: scalars[plainStart..<scalars.endIndex])
        text += "\""
    }
}
