import Foundation
import LockerColdChain
import LockerTestSupport
import Testing

@Suite struct TemperatureSeriesCompactorTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)

    struct Sample {
        var celsius: Double
        var at: Date
    }

    /// Feeds every sample and closes at the end: the whole record as the store would hold it.
    func compact(_ samples: [Sample], settings: TemperatureSeriesCompactor.Settings = .init()) -> [TemperatureSegment] {
        var compactor = TemperatureSeriesCompactor(settings: settings)
        var segments = samples.compactMap { compactor.add(celsius: $0.celsius, at: $0.at) }
        if let last = compactor.close() { segments.append(last) }
        return segments
    }

    /// A zone's readings with everything the record must survive: drift, steps, noise, and
    /// silences longer than the gap limit.
    func randomSeries(seed: UInt64, count: Int) -> [Sample] {
        var random = SplitMix64(seed: seed)
        var samples: [Sample] = []
        var celsius = Double.random(in: -25...70, using: &random)
        var time = start
        for _ in 0..<count {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<3: time += Double.random(in: 181...3600, using: &random)
            case 3..<6:
                time += Double.random(in: 1...120, using: &random)
                celsius += Double.random(in: -5...5, using: &random)
            default: time += Double.random(in: 1...120, using: &random)
            }
            celsius += Double.random(in: -0.15...0.15, using: &random)
            samples.append(Sample(celsius: celsius, at: time))
        }
        return samples
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>) func theRecordProvesEverySample(seed: UInt64) throws {
        let settings = TemperatureSeriesCompactor.Settings()
        let samples = randomSeries(seed: seed, count: 3000)
        let segments = compact(samples, settings: settings)
        #expect(segments.map(\.sampleCount).reduce(0, +) == samples.count)
        #expect(segments.count < samples.count / 3, "compaction must compact: \(segments.count) segments")

        var remaining = samples[...]
        var previous: (segment: TemperatureSegment, lastSampleAt: Date)?
        for segment in segments {
            let own = remaining.prefix(segment.sampleCount)
            remaining = remaining.dropFirst(segment.sampleCount)
            let first = try #require(own.first)
            let last = try #require(own.last)
            #expect(segment.start == first.at)
            #expect(segment.lastCelsius == last.celsius)
            #expect(segment.maxCelsius - segment.minCelsius <= settings.toleranceCelsius)
            #expect(last.at.timeIntervalSince(segment.start) <= settings.maximumSegmentSeconds)
            for sample in own {
                #expect(segment.minCelsius <= sample.celsius && sample.celsius <= segment.maxCelsius)
                #expect(segment.start <= sample.at && sample.at <= segment.end)
            }
            for (earlier, later) in zip(own, own.dropFirst()) {
                #expect(later.at.timeIntervalSince(earlier.at) <= settings.maximumGapSeconds)
            }
            if let previous {
                // Ordered and never overlapping, and a silence shows as a gap.
                #expect(previous.segment.end <= segment.start)
                if segment.start.timeIntervalSince(previous.lastSampleAt) > settings.maximumGapSeconds {
                    #expect(previous.segment.end == previous.lastSampleAt)
                } else {
                    #expect(previous.segment.end == segment.start)
                }
            }
            previous = (segment, last.at)
        }
        #expect(remaining.isEmpty)
    }

    @Test func aSilenceBreaksTheRecord() throws {
        let samples = [0.0, 60, 120, 400, 460].map { Sample(celsius: 4, at: start + $0) }
        let segments = compact(samples)
        try #require(segments.count == 2)
        #expect(segments[0] == TemperatureSegment(start: start, end: start + 120, minCelsius: 4, maxCelsius: 4, lastCelsius: 4, sampleCount: 3))
        #expect(segments[1].start == start + 400)
        let summary = ColdChainSummary.summarize(
            segments: segments, excursions: [], from: start, to: start + 460, band: ThermostatSettings.chilled.band
        )
        #expect(summary.gapSeconds == 280)
    }

    @Test func aChangeClosesTheSegmentWithoutAGap() throws {
        var compactor = TemperatureSeriesCompactor()
        #expect(compactor.add(celsius: 4.0, at: start) == nil)
        #expect(compactor.add(celsius: 4.4, at: start + 60) == nil)
        let closing = compactor.add(celsius: 4.6, at: start + 120)
        let closed = try #require(closing)
        // The last sample (4.4) held until the change was seen.
        #expect(closed == TemperatureSegment(start: start, end: start + 120, minCelsius: 4, maxCelsius: 4.4, lastCelsius: 4.4, sampleCount: 2))
        #expect(compactor.open == TemperatureSegment(celsius: 4.6, at: start + 120))
    }

    @Test func aSegmentSpansNoMoreThanTheMaximum() throws {
        var compactor = TemperatureSeriesCompactor()
        for minute in 0...15 {
            #expect(compactor.add(celsius: 4, at: start + Double(minute) * 60) == nil)
        }
        let closing = compactor.add(celsius: 4, at: start + 960)
        let closed = try #require(closing)
        #expect(closed.sampleCount == 16)
        #expect(closed.end == start + 960)
    }

    @Test func outOfOrderAndUnreadableSamplesAreDropped() {
        var compactor = TemperatureSeriesCompactor()
        _ = compactor.add(celsius: 4, at: start + 60)
        _ = compactor.add(celsius: 4.1, at: start + 60)
        _ = compactor.add(celsius: 4.1, at: start)
        _ = compactor.add(celsius: .nan, at: start + 120)
        #expect(compactor.droppedSampleCount == 3)
        #expect(compactor.open?.sampleCount == 1)
        #expect(compactor.lastSampleAt == start + 60)
    }

    @Test func closingEndsTheRecordAtTheLastSample() {
        var compactor = TemperatureSeriesCompactor()
        _ = compactor.add(celsius: 4, at: start)
        _ = compactor.add(celsius: 4, at: start + 60)
        #expect(compactor.close() == TemperatureSegment(start: start, end: start + 60, minCelsius: 4, maxCelsius: 4, lastCelsius: 4, sampleCount: 2))
        #expect(compactor.open == nil)
        #expect(compactor.close() == nil)
        #expect(compactor.add(celsius: 4, at: start + 120) == nil)
        #expect(compactor.open?.start == start + 120)
    }

    /// A steady zone sampled once a minute for a week: 10,080 samples become 630 segments (16
    /// samples each, limited by the maximum segment length), comfortably under the 700 a week's
    /// storage budget assumes.
    @Test func aSteadyWeekCompactsToSixHundredThirtySegments() {
        var random = SplitMix64(seed: 7)
        let samples = (0..<10_080).map { minute in
            Sample(celsius: 4.5 + Double.random(in: -0.2...0.2, using: &random), at: start + Double(minute) * 60)
        }
        let segments = compact(samples)
        #expect(segments.count == 630)
        #expect(segments.count <= 700)
    }

    @Test func settingsAreValidated() {
        #expect(TemperatureSeriesCompactor.Settings().problems.isEmpty)
        #expect(TemperatureSeriesCompactor.Settings(toleranceCelsius: -1, maximumGapSeconds: 0).problems.count == 2)
    }
}
