/// One line of an open chip, found by name or offset. Its description is what error messages and
/// logs print, so a technician sees both the name in the wiring plan and the offset on the chip.
public struct GPIOLineHandle: Sendable, Hashable, CustomStringConvertible {
    public let chip: GPIOChipHandle
    public let offset: Int
    /// The line's name, when the configuration or the device tree gives it one.
    public let name: String?

    public init(chip: GPIOChipHandle, offset: Int, name: String?) {
        self.chip = chip
        self.offset = offset
        self.name = name
    }

    public var description: String {
        if let name { return "line \"\(name)\" (offset \(offset)) of \(chip)" }
        return "line at offset \(offset) of \(chip)"
    }
}
