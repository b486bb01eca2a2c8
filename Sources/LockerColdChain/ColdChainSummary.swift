public import Foundation

/// What one parcel's zone did while the locker held it (deposit to pickup): the cold-chain
/// statement a recipient or a sender's auditor gets.
///
/// Built from the stored segments and excursions, and conservative toward the recipient wherever
/// the record cannot be precise:
///
/// - a segment that overlaps the custody interval at all contributes its whole range to `min` and
///   `max`, although some of its samples may lie outside the interval;
/// - a segment whose range crosses a band edge counts as out of band for all of its overlap
///   (`TemperatureSegment.mayBeOutside`), although some of its samples may have been in band;
/// - time no segment covers is reported as a gap, never assumed to have been in band.
public struct ColdChainSummary: Sendable, Equatable, Hashable, Codable {
    public var from: Date
    public var to: Date
    /// The lowest and highest temperature recorded; nil when no segment touches the interval.
    public var minCelsius: Double?
    public var maxCelsius: Double?
    /// Time covered by segments that may have been out of band.
    public var secondsOutOfBand: Double
    /// Time within the interval that no segment covers: the probe was faulty, the daemon was
    /// down, or samples stopped.
    public var gapSeconds: Double
    /// Excursions that overlap the interval, ongoing ones included.
    public var excursionCount: Int
    /// Time within the interval spent in those excursions (an ongoing one counts up to `to`).
    public var excursionSeconds: Double

    public init(
        from: Date,
        to: Date,
        minCelsius: Double?,
        maxCelsius: Double?,
        secondsOutOfBand: Double,
        gapSeconds: Double,
        excursionCount: Int,
        excursionSeconds: Double
    ) {
        self.from = from
        self.to = to
        self.minCelsius = minCelsius
        self.maxCelsius = maxCelsius
        self.secondsOutOfBand = secondsOutOfBand
        self.gapSeconds = gapSeconds
        self.excursionCount = excursionCount
        self.excursionSeconds = excursionSeconds
    }

    /// Whether the record shows the goods in band throughout, with no gap and no excursion.
    public var isUnbroken: Bool { secondsOutOfBand == 0 && gapSeconds == 0 && excursionCount == 0 }

    /// Summarizes custody from `from` to `to`. Segments and excursions may come in any order and
    /// may include ones outside the interval; an interval that ends before it starts is empty.
    public static func summarize(
        segments: [TemperatureSegment],
        excursions: [Excursion],
        from: Date,
        to: Date,
        band: TemperatureBand
    ) -> ColdChainSummary {
        let to = max(from, to)
        var minCelsius: Double?
        var maxCelsius: Double?
        var secondsOutOfBand = 0.0
        var covered: [(start: Date, end: Date)] = []
        for segment in segments {
            let overlapStart = max(segment.start, from)
            let overlapEnd = min(segment.end, to)
            let overlapSeconds = overlapEnd.timeIntervalSince(overlapStart)
            // A segment touching the interval only at its end held its last value up to the
            // interval's start, not into it; its first sample, though, is a reading taken within
            // the interval even when the segment has no length.
            let firstSampleInside = segment.start >= from && segment.start <= to
            guard overlapSeconds > 0 || firstSampleInside else { continue }
            minCelsius = min(minCelsius ?? segment.minCelsius, segment.minCelsius)
            maxCelsius = max(maxCelsius ?? segment.maxCelsius, segment.maxCelsius)
            guard overlapSeconds > 0 else { continue }
            covered.append((overlapStart, overlapEnd))
            if segment.mayBeOutside(band) { secondsOutOfBand += overlapSeconds }
        }

        var coveredSeconds = 0.0
        var mergedEnd: Date?
        // Segments should not overlap; merging anyway keeps a duplicated row from hiding a gap.
        for interval in covered.sorted(by: { $0.start < $1.start }) {
            let start = max(interval.start, mergedEnd ?? interval.start)
            if interval.end > start { coveredSeconds += interval.end.timeIntervalSince(start) }
            mergedEnd = max(mergedEnd ?? interval.end, interval.end)
        }

        var excursionCount = 0
        var excursionSeconds = 0.0
        for excursion in excursions {
            let end = excursion.end ?? .distantFuture
            guard excursion.start < to, end > from else { continue }
            excursionCount += 1
            excursionSeconds += min(end, to).timeIntervalSince(max(excursion.start, from))
        }

        return ColdChainSummary(
            from: from,
            to: to,
            minCelsius: minCelsius,
            maxCelsius: maxCelsius,
            secondsOutOfBand: secondsOutOfBand,
            gapSeconds: max(0, to.timeIntervalSince(from) - coveredSeconds),
            excursionCount: excursionCount,
            excursionSeconds: excursionSeconds
        )
    }
}
