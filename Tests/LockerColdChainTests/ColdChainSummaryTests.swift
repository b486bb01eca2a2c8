import Foundation
import LockerColdChain
import Testing

@Suite struct ColdChainSummaryTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)
    let band = ThermostatSettings.chilled.band

    func segment(_ from: Double, _ to: Double, _ low: Double, _ high: Double) -> TemperatureSegment {
        TemperatureSegment(
            start: start + from, end: start + to, minCelsius: low, maxCelsius: high, lastCelsius: high,
            sampleCount: max(1, Int((to - from) / 60))
        )
    }

    @Test func aCustodyWithAGapAndTwoEdgesOutOfBand() {
        let segments = [
            segment(0, 300, 19, 20),  // ended as the custody began: not part of it
            segment(300, 600, 4, 5),
            segment(600, 1200, 7.5, 8.3),  // crosses the high edge: counted out of band in full
            segment(1200, 1500, 5, 5.4),
            // Nothing from 1500 to 1800: the probe was faulty.
            segment(1800, 2400, 1.5, 1.9),  // too cold; only 300 s of it within the custody
            segment(3000, 3600, 30, 31),  // after pickup
        ]
        let excursions = [
            Excursion(start: start - 500, end: start + 200, peakCelsius: 20, direction: .tooWarm),  // before
            Excursion(start: start + 700, end: start + 1100, peakCelsius: 8.3, direction: .tooWarm),
            Excursion(start: start + 1900, peakCelsius: 1.5, direction: .tooCold),  // ongoing
        ]
        let summary = ColdChainSummary.summarize(
            segments: segments.shuffled(), excursions: excursions, from: start + 300, to: start + 2100, band: band
        )
        #expect(summary.minCelsius == 1.5)
        #expect(summary.maxCelsius == 8.3)
        #expect(summary.secondsOutOfBand == 900)
        #expect(summary.gapSeconds == 300)
        #expect(summary.excursionCount == 2)
        #expect(summary.excursionSeconds == 600)
        #expect(!summary.isUnbroken)
    }

    @Test func aCleanCustodyIsUnbroken() {
        let segments = [segment(0, 900, 4, 4.4), segment(900, 1800, 4.3, 4.8), segment(1800, 2000, 4.6, 4.9)]
        let summary = ColdChainSummary.summarize(segments: segments, excursions: [], from: start + 100, to: start + 1900, band: band)
        #expect(summary.minCelsius == 4)
        #expect(summary.maxCelsius == 4.9)
        #expect(summary.secondsOutOfBand == 0)
        #expect(summary.gapSeconds == 0)
        #expect(summary.isUnbroken)
    }

    @Test func aStraddlingSegmentCountsOnlyItsOverlap() {
        let summary = ColdChainSummary.summarize(
            segments: [segment(0, 1000, 7, 9)], excursions: [], from: start + 400, to: start + 600, band: band
        )
        #expect(summary.secondsOutOfBand == 200)
        #expect(summary.gapSeconds == 0)
    }

    @Test func aSingleSampleInsideCountsForTheRangeButCoversNoTime() {
        let lone = TemperatureSegment(celsius: 9, at: start + 600)
        let summary = ColdChainSummary.summarize(segments: [lone], excursions: [], from: start + 600, to: start + 1200, band: band)
        #expect(summary.maxCelsius == 9)
        #expect(summary.secondsOutOfBand == 0)
        #expect(summary.gapSeconds == 600)
    }

    @Test func noRecordAtAllIsAllGap() {
        let summary = ColdChainSummary.summarize(segments: [], excursions: [], from: start, to: start + 3600, band: band)
        #expect(summary.minCelsius == nil)
        #expect(summary.maxCelsius == nil)
        #expect(summary.gapSeconds == 3600)
        #expect(!summary.isUnbroken)
    }

    @Test func aDuplicatedSegmentDoesNotHideAGap() {
        let segments = [segment(0, 600, 4, 5), segment(0, 600, 4, 5)]
        let summary = ColdChainSummary.summarize(segments: segments, excursions: [], from: start, to: start + 1200, band: band)
        #expect(summary.gapSeconds == 600)
    }

    @Test func anIntervalEndingBeforeItStartsIsEmpty() {
        let summary = ColdChainSummary.summarize(
            segments: [segment(0, 600, 4, 5)], excursions: [], from: start + 600, to: start, band: band
        )
        #expect(summary.gapSeconds == 0)
        #expect(summary.excursionCount == 0)
    }
}
