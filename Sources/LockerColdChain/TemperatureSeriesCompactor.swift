public import Foundation

/// Compacts one zone's stream of samples into `TemperatureSegment`s for the store.
///
/// A sample joins the open segment when all of these hold:
///
/// - the segment's range, with the sample, stays within `toleranceCelsius` (max − min);
/// - the segment's samples would span no more than `maximumSegmentSeconds` (so the record keeps
///   a useful time resolution, and the store gets something to persist regularly);
/// - no more than `maximumGapSeconds` passed since the previous sample.
///
/// Otherwise the open segment is closed and returned for the caller to persist, and the sample
/// opens a new one. The record this builds proves, for every sample fed:
///
/// - the sample lies within its segment's `[minCelsius, maxCelsius]` and its time within the
///   segment's `[start, end]`;
/// - segments are in time order and never overlap: each starts at or after the previous one's
///   `end`;
/// - a missing interval shows as a gap: when samples stop for longer than `maximumGapSeconds`
///   the segment before ends at its last sample, so nothing claims the time in between. Without
///   such a break the closed segment ends where the next one starts (its last sample holds until
///   the next), so the record has no gaps where there were none.
///
/// Samples not later than the previous one, and NaN or infinite values, are dropped and counted:
/// a duplicate or a clock stepping back cannot be placed in an ordered record, and an unreadable
/// value proves nothing (the probe fault detector should have stopped it).
public struct TemperatureSeriesCompactor: Sendable, Equatable {
    public struct Settings: Sendable, Equatable, Hashable, Codable {
        /// The widest range a segment may cover. Half a degree is well inside any food band and
        /// twice a DS18B20's typical accuracy.
        public var toleranceCelsius: Double
        /// The longest a segment's samples may span.
        public var maximumSegmentSeconds: Double
        /// A longer silence between samples breaks the record.
        public var maximumGapSeconds: Double

        public init(toleranceCelsius: Double = 0.5, maximumSegmentSeconds: Double = 900, maximumGapSeconds: Double = 180) {
            self.toleranceCelsius = toleranceCelsius
            self.maximumSegmentSeconds = maximumSegmentSeconds
            self.maximumGapSeconds = maximumGapSeconds
        }

        /// Reasons these settings cannot be used; empty when they can.
        public var problems: [String] {
            var problems: [String] = []
            if !toleranceCelsius.isFinite || toleranceCelsius < 0 {
                problems.append("toleranceCelsius (\(toleranceCelsius)) must be zero or more")
            }
            for (name, seconds) in [("maximumSegmentSeconds", maximumSegmentSeconds), ("maximumGapSeconds", maximumGapSeconds)]
            where !seconds.isFinite || seconds <= 0 {
                problems.append("\(name) (\(seconds)) must be above zero")
            }
            return problems
        }
    }

    public var settings: Settings
    /// The segment still growing: not yet persisted. Pass it along with the persisted ones to
    /// summarize up to now.
    public private(set) var open: TemperatureSegment?
    /// The time of the last sample accepted, open segment or not: later samples must follow it.
    public private(set) var lastSampleAt: Date?
    /// Samples dropped for being out of order or not a number.
    public private(set) var droppedSampleCount = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Feeds one sample.
    ///
    /// - Returns: the segment closed by this sample, for the caller to persist, if any.
    public mutating func add(celsius: Double, at time: Date) -> TemperatureSegment? {
        guard celsius.isFinite, lastSampleAt.map({ time > $0 }) ?? true else {
            droppedSampleCount += 1
            return nil
        }
        lastSampleAt = time
        guard var segment = open else {
            open = TemperatureSegment(celsius: celsius, at: time)
            return nil
        }
        let continues = time.timeIntervalSince(segment.end) <= settings.maximumGapSeconds
        let low = min(segment.minCelsius, celsius)
        let high = max(segment.maxCelsius, celsius)
        if continues, high - low <= settings.toleranceCelsius,
            time.timeIntervalSince(segment.start) <= settings.maximumSegmentSeconds
        {
            segment.end = time
            segment.minCelsius = low
            segment.maxCelsius = high
            segment.lastCelsius = celsius
            segment.sampleCount += 1
            open = segment
            return nil
        }
        if continues { segment.end = time }
        open = TemperatureSegment(celsius: celsius, at: time)
        return segment
    }

    /// Closes the open segment where its last sample is, for a shutdown: the time until the next
    /// sample (after a restart) is a gap, because nobody was watching.
    public mutating func close() -> TemperatureSegment? {
        defer { open = nil }
        return open
    }
}
