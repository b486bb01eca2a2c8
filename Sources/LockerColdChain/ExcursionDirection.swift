/// Which side of its band a zone left by.
public enum ExcursionDirection: String, Sendable, Equatable, Hashable, Codable {
    /// Above the band's high end: chilled food warming, frozen food thawing, hot food overheating.
    case tooWarm
    /// Below the band's low end: chilled produce freezing, hot food cooling into the danger zone.
    case tooCold
}
