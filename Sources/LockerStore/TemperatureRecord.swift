public import Foundation

/// A stretch of one zone's temperature record: every sample taken from `start` to `end` lay within
/// `minCelsius...maxCelsius`. Written when the segment closes; the store never edits one.
public struct StoredTemperatureSegment: Sendable, Equatable {
    public var zone: String
    public var start: Date
    public var end: Date
    public var minCelsius: Double
    public var maxCelsius: Double
    public var lastCelsius: Double
    public var sampleCount: Int

    public init(zone: String, start: Date, end: Date, minCelsius: Double, maxCelsius: Double, lastCelsius: Double, sampleCount: Int) {
        self.zone = zone
        self.start = start
        self.end = end
        self.minCelsius = minCelsius
        self.maxCelsius = maxCelsius
        self.lastCelsius = lastCelsius
        self.sampleCount = sampleCount
    }
}

/// A time a zone spent outside its band beyond the grace: `end` is nil while it lasts.
public struct StoredExcursion: Sendable, Equatable {
    public var id: Int64
    public var zone: String
    /// "too_warm" or "too_cold".
    public var direction: String
    public var start: Date
    public var end: Date?
    public var peakCelsius: Double

    public init(id: Int64, zone: String, direction: String, start: Date, end: Date?, peakCelsius: Double) {
        self.id = id
        self.zone = zone
        self.direction = direction
        self.start = start
        self.end = end
        self.peakCelsius = peakCelsius
    }
}
