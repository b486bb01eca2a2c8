public import Foundation

/// A stretch of one zone's temperature record: consecutive samples summarized by their range.
///
/// The store keeps segments rather than samples: a steady zone sampled every minute fills a
/// week with about 630 segments instead of 10,080 rows, and the range is all a custody summary
/// needs. See `TemperatureSeriesCompactor` for what a segment proves.
public struct TemperatureSegment: Sendable, Equatable, Hashable, Codable {
    /// The first sample's time.
    public var start: Date
    /// Where the record this segment vouches for ends: the next segment's start when the record
    /// continued without a break (each sample holds until the next one), else its own last
    /// sample's time (a gap follows, or the record was closed).
    public var end: Date
    /// The lowest and highest sample in the segment.
    public var minCelsius: Double
    public var maxCelsius: Double
    /// The last sample: the value the record held at `end`'s side of the segment.
    public var lastCelsius: Double
    public var sampleCount: Int

    public init(start: Date, end: Date, minCelsius: Double, maxCelsius: Double, lastCelsius: Double, sampleCount: Int) {
        self.start = start
        self.end = end
        self.minCelsius = minCelsius
        self.maxCelsius = maxCelsius
        self.lastCelsius = lastCelsius
        self.sampleCount = sampleCount
    }

    /// A segment of one sample.
    public init(celsius: Double, at time: Date) {
        self.init(start: time, end: time, minCelsius: celsius, maxCelsius: celsius, lastCelsius: celsius, sampleCount: 1)
    }

    public var durationSeconds: Double { end.timeIntervalSince(start) }

    /// Whether any sample may have been outside the band: conservative, a segment whose range
    /// crosses the band's edge counts as out of band in full.
    public func mayBeOutside(_ band: TemperatureBand) -> Bool {
        maxCelsius > band.highCelsius || minCelsius < band.lowCelsius
    }
}
