/// How the configuration names one GPIO line of a chip: by the name the device tree gives it
/// ("LATCH1", "GPIO17") or by its offset on the chip (17).
///
/// Names survive a board revision that moves a signal to another pin; offsets work on boards whose
/// device tree names no lines. In JSON a number is an offset and a string is a name, so
/// `"latch": 17` and `"latch": "LATCH1"` both read naturally.
public enum GPIOLineAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    case name(String)
    case offset(Int)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let offset = try? container.decode(Int.self) {
            self = .offset(offset)
        } else {
            self = .name(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .name(let name): try container.encode(name)
        case .offset(let offset): try container.encode(offset)
        }
    }

    public var description: String {
        switch self {
        case .name(let name): return "line \"\(name)\""
        case .offset(let offset): return "line at offset \(offset)"
        }
    }
}
