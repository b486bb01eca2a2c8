public import Foundation

/// A spell out of band that outlasted its grace: what a recipient is told about and what the
/// custody summary counts.
public struct Excursion: Sendable, Equatable, Hashable, Codable {
    /// When the zone first left the band, not when the grace ran out: the goods were out of band
    /// from here.
    public var start: Date
    /// The first in-band reading after it; nil while the excursion goes on.
    public var end: Date?
    /// The furthest reading outside the band: the highest for `tooWarm`, the lowest for
    /// `tooCold`. Readings during the grace count too.
    public var peakCelsius: Double
    public var direction: ExcursionDirection

    public init(start: Date, end: Date? = nil, peakCelsius: Double, direction: ExcursionDirection) {
        self.start = start
        self.end = end
        self.peakCelsius = peakCelsius
        self.direction = direction
    }

    /// From `start` to `end`; nil while the excursion goes on.
    public var durationSeconds: Double? {
        end.map { $0.timeIntervalSince(start) }
    }

    public var isOngoing: Bool { end == nil }
}
