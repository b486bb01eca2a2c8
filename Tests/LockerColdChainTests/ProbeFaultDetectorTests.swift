import Foundation
import LockerColdChain
import Testing

@Suite struct ProbeFaultDetectorTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)

    @Test func healthyReadingsPass() {
        var detector = ProbeFaultDetector()
        for (index, celsius) in [4.0, 4.0625, 4.125, 4.0625, 5.5, 6.0].enumerated() {
            #expect(detector.assess(.celsius(celsius), now: start + Double(index) * 10) == .healthy(celsius: celsius))
        }
        #expect(detector.lastHealthyCelsius == 6.0)
    }

    @Test func aFewCRCFailuresFallBackToTheLastGoodValue() {
        var detector = ProbeFaultDetector()
        _ = detector.assess(.celsius(4.5), now: start)
        #expect(detector.assess(.crcFailure, now: start + 10) == .healthy(celsius: 4.5))
        #expect(detector.assess(.crcFailure, now: start + 20) == .healthy(celsius: 4.5))
        // The third in a row is no longer noise.
        #expect(detector.assess(.crcFailure, now: start + 30) == .faulty(.crcFailure))
        #expect(detector.assess(.crcFailure, now: start + 40) == .faulty(.crcFailure))
        // A good read resets the count.
        #expect(detector.assess(.celsius(4.6), now: start + 50) == .healthy(celsius: 4.6))
        #expect(detector.consecutiveCRCFailures == 0)
        #expect(detector.assess(.crcFailure, now: start + 60) == .healthy(celsius: 4.6))
    }

    @Test func aCRCFailureWithoutARecentGoodValueIsAFault() {
        var detector = ProbeFaultDetector()
        #expect(detector.assess(.crcFailure, now: start) == .faulty(.crcFailure))
        _ = detector.assess(.celsius(4.5), now: start + 10)
        #expect(detector.assess(.crcFailure, now: start + 10 + 121) == .faulty(.crcFailure))
    }

    @Test func aCRCFailureDoesNotResurrectAValueJustJudgedFaulty() {
        var detector = ProbeFaultDetector()
        _ = detector.assess(.celsius(4.5), now: start)
        _ = detector.assess(.missing(detail: "no such device"), now: start + 10)
        #expect(detector.assess(.crcFailure, now: start + 20) == .faulty(.crcFailure))
    }

    @Test func eightyFiveDegreesAfterAStartIsThePowerOnValue() {
        var detector = ProbeFaultDetector()
        #expect(detector.assess(.celsius(85), now: start) == .faulty(.powerOnValue))
        _ = detector.assess(.celsius(4), now: start + 10)
        // Also after a brown-out of the probe alone, mid-run.
        #expect(detector.assess(.celsius(85), now: start + 20) == .faulty(.powerOnValue))
        #expect(detector.lastHealthyCelsius == 4)
        // Close to 85 is a real temperature.
        #expect(detector.assess(.celsius(85.0625), now: start + 30) == .faulty(.impossibleJump(from: 4, to: 85.0625, seconds: 20)))
    }

    @Test func eightyFiveDegreesNextToEightyFourIsATemperature() {
        var detector = ProbeFaultDetector()
        #expect(detector.assess(.celsius(84.5), now: start) == .healthy(celsius: 84.5))
        #expect(detector.assess(.celsius(85), now: start + 10) == .healthy(celsius: 85))
    }

    @Test func aMissingProbeIsDisconnected() {
        var detector = ProbeFaultDetector()
        #expect(detector.assess(.missing(detail: "w1 slave gone"), now: start) == .faulty(.disconnected(detail: "w1 slave gone")))
    }

    @Test func aValueThatNeverChangesIsStuck() {
        var detector = ProbeFaultDetector()
        // Healthy up to and including 30 minutes unchanged.
        for seconds in stride(from: 0.0, through: 1800, by: 60) {
            #expect(detector.assess(.celsius(4.25), now: start + seconds) == .healthy(celsius: 4.25))
        }
        #expect(detector.assess(.celsius(4.2505), now: start + 1860) == .faulty(.stuck(seconds: 1860)))
        // A change clears it at once.
        #expect(detector.assess(.celsius(4.3125), now: start + 1920) == .healthy(celsius: 4.3125))
    }

    @Test func aWigglingValueIsNotStuck() {
        var detector = ProbeFaultDetector()
        for step in 0..<200 {
            let celsius = step.isMultiple(of: 7) ? 4.3125 : 4.25
            #expect(detector.assess(.celsius(celsius), now: start + Double(step) * 60) == .healthy(celsius: celsius))
        }
    }

    @Test func anImpossibleJumpIsRejectedAndDoesNotMoveTheReference() {
        var detector = ProbeFaultDetector()
        _ = detector.assess(.celsius(4), now: start)
        #expect(detector.assess(.celsius(20), now: start + 10) == .faulty(.impossibleJump(from: 4, to: 20, seconds: 10)))
        #expect(detector.lastHealthyCelsius == 4)
        #expect(detector.assess(.celsius(4.5), now: start + 20) == .healthy(celsius: 4.5))
        // 2 °C allowance plus 5 °C a minute: 2 °C in 10 s passes, 8 °C in 30 s does not.
        #expect(detector.assess(.celsius(6.5), now: start + 30) == .healthy(celsius: 6.5))
        #expect(detector.assess(.celsius(14.5), now: start + 60) == .faulty(.impossibleJump(from: 6.5, to: 14.5, seconds: 30)))
    }

    @Test func aRealMoveIsAcceptedOnceTimeExplainsIt() {
        var detector = ProbeFaultDetector()
        _ = detector.assess(.celsius(-20), now: start)
        // A freezer door held open: the air reads −5 and stays there.
        #expect(detector.assess(.celsius(-5), now: start + 10).fault != nil)
        #expect(detector.assess(.celsius(-5), now: start + 60).fault != nil)
        #expect(detector.assess(.celsius(-5), now: start + 160) == .healthy(celsius: -5))
    }

    @Test func valuesOutsideTheSensorsRangeAreFaults() {
        var detector = ProbeFaultDetector()
        #expect(detector.assess(.celsius(-60), now: start) == .faulty(.outOfRange(celsius: -60)))
        #expect(detector.assess(.celsius(130), now: start) == .faulty(.outOfRange(celsius: 130)))
        #expect(detector.assess(.celsius(.infinity), now: start).fault == .outOfRange(celsius: .infinity))
        #expect(detector.assess(.celsius(.nan), now: start).celsius == nil)
        #expect(detector.assess(.celsius(-55), now: start) == .healthy(celsius: -55))
        #expect(detector.lastHealthyCelsius == -55)
    }

    @Test func defaultSettingsAreValidAndBadOnesReported() {
        #expect(ProbeFaultDetector.Settings().problems.isEmpty)
        let bad = ProbeFaultDetector.Settings(consecutiveCRCFailuresForFault: 0, stuckAfterSeconds: 0, minimumCelsius: 10, maximumCelsius: 0)
        #expect(bad.problems.count == 3)
    }
}
