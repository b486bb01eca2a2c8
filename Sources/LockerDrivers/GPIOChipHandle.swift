/// An open GPIO chip, as a `GPIOLineDriver` hands it out. A plain value so that fakes and real
/// drivers share it; the driver keeps the library object behind `id`.
public struct GPIOChipHandle: Sendable, Hashable, CustomStringConvertible {
    /// Chosen by the driver; unique among the chips it has open.
    public let id: Int
    /// The chip as the configuration names it (path, name, label or number), kept for messages.
    public let name: String

    public init(id: Int, name: String) {
        self.id = id
        self.name = name
    }

    /// "gpiochip0", "gpiochip /dev/gpiochip9", "gpiochip pinctrl-bcm2835": always says it is a chip,
    /// without repeating the word for names that already start with it.
    public var description: String { name.hasPrefix("gpiochip") ? name : "gpiochip \(name)" }
}
