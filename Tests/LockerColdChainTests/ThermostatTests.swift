import Foundation
import LockerColdChain
import Testing

@Suite struct ThermostatTests {
    let start = Date(timeIntervalSince1970: 1_750_000_000)
    /// Chilled 2–8 °C with a 2 °C hysteresis: cuts in at 6 °C, out at 4 °C.
    let chilled = ThermostatSettings.chilled
    let warm = 7.0
    let cold = 3.0

    /// A chilled thermostat that has just switched its compressor on, `minimumOffSeconds` after
    /// its start.
    func runningThermostat(_ settings: ThermostatSettings? = nil) -> (Thermostat, Date) {
        var thermostat = Thermostat(settings: settings ?? chilled, startedAt: start)
        let on = start + (settings ?? chilled).minimumOffSeconds
        thermostat.decide(celsius: warm, now: on)
        return (thermostat, on)
    }

    @Test func switchPointsSitAroundTheBandsMiddle() {
        #expect(chilled.cutInCelsius == 6)
        #expect(chilled.cutOutCelsius == 4)
        #expect(ThermostatSettings.heated.cutInCelsius == 61)
        #expect(ThermostatSettings.heated.cutOutCelsius == 64)
    }

    @Test func aRestartCountsAsASwitchOff() {
        var thermostat = Thermostat(settings: chilled, startedAt: start)
        #expect(!thermostat.isOn)
        #expect(thermostat.lastSwitch == start)
        // Warm at once, but the compressor may have stopped just before the power cut.
        #expect(thermostat.decide(celsius: warm, now: start) == false)
        #expect(thermostat.reason == .minimumOffTime)
        #expect(thermostat.secondsUntilRelayMayStart(now: start + 100) == 80)
        #expect(thermostat.decide(celsius: warm, now: start + 179) == false)
        #expect(thermostat.decide(celsius: warm, now: start + 180) == true)
        #expect(thermostat.reason == .temperatureDemand)
        #expect(thermostat.lastSwitch == start + 180)
    }

    @Test func theDeadBandKeepsTheCurrentState() {
        var (thermostat, on) = runningThermostat()
        // Between cut-out (4) and cut-in (6): a running compressor keeps pulling down.
        #expect(thermostat.decide(celsius: 5, now: on + 120) == true)
        #expect(thermostat.reason == .temperatureDemand)
        #expect(thermostat.decide(celsius: 4, now: on + 130) == false)
        #expect(thermostat.reason == .temperatureSatisfied)
        // An idle one waits for the cut-in point.
        #expect(thermostat.decide(celsius: 5.9, now: on + 1000) == false)
        #expect(thermostat.reason == .temperatureSatisfied)
        #expect(thermostat.decide(celsius: 6, now: on + 1010) == true)
    }

    @Test func neverStartsWithinTheMinimumOffTime() {
        var (thermostat, on) = runningThermostat()
        let off = on + 600
        #expect(thermostat.decide(celsius: cold, now: off) == false)
        for seconds in stride(from: 10.0, to: chilled.minimumOffSeconds, by: 10) {
            #expect(thermostat.decide(celsius: 30, now: off + seconds) == false)
            #expect(thermostat.reason == .minimumOffTime)
        }
        #expect(thermostat.decide(celsius: 30, now: off + chilled.minimumOffSeconds) == true)
    }

    @Test func staysOnForTheMinimumOnTime() {
        var (thermostat, on) = runningThermostat()
        #expect(thermostat.decide(celsius: -5, now: on + 30) == true)
        #expect(thermostat.reason == .minimumOnTime)
        #expect(thermostat.decide(celsius: -5, now: on + 59) == true)
        #expect(thermostat.decide(celsius: -5, now: on + 60) == false)
        #expect(thermostat.reason == .temperatureSatisfied)
    }

    @Test func aLongRunIsForcedToRest() {
        var (thermostat, on) = runningThermostat()
        // An undersized compressor that never reaches the cut-out point.
        #expect(thermostat.decide(celsius: warm, now: on + chilled.maximumRunSeconds - 1) == true)
        #expect(thermostat.decide(celsius: warm, now: on + chilled.maximumRunSeconds) == false)
        #expect(thermostat.reason == .maximumRun)
        let stop = on + chilled.maximumRunSeconds
        #expect(thermostat.decide(celsius: warm, now: stop + chilled.minimumOffSeconds - 1) == false)
        #expect(thermostat.reason == .minimumOffTime)
        #expect(thermostat.decide(celsius: warm, now: stop + chilled.minimumOffSeconds) == true)
    }

    @Test func aFaultWithSafeStateOffStopsTheRelayAtOnce() {
        var (thermostat, on) = runningThermostat()
        #expect(!chilled.relayOnWhenProbeFaulty)
        // Even within the minimum on time: nothing says the run still does good.
        #expect(thermostat.decide(celsius: nil, now: on + 10) == false)
        #expect(thermostat.reason == .probeFaultSafeState)
        #expect(thermostat.decide(celsius: nil, now: on + 3600) == false)
        #expect(thermostat.decide(celsius: .nan, now: on + 3610) == false)
        #expect(thermostat.reason == .probeFaultSafeState)
    }

    @Test func aFaultWithSafeStateOnStillRespectsTheMinimumOffTime() {
        let frozen = ThermostatSettings.frozen
        #expect(frozen.relayOnWhenProbeFaulty)
        var thermostat = Thermostat(settings: frozen, startedAt: start)
        #expect(thermostat.decide(celsius: nil, now: start + 60) == false)
        #expect(thermostat.reason == .probeFaultMinimumOffTime)
        #expect(thermostat.decide(celsius: nil, now: start + frozen.minimumOffSeconds) == true)
        #expect(thermostat.reason == .probeFaultSafeState)
        let on = start + frozen.minimumOffSeconds
        // Running blind still rests after the maximum run, and still waits out its rest.
        #expect(thermostat.decide(celsius: nil, now: on + frozen.maximumRunSeconds - 1) == true)
        #expect(thermostat.decide(celsius: nil, now: on + frozen.maximumRunSeconds) == false)
        #expect(thermostat.reason == .maximumRun)
        #expect(thermostat.decide(celsius: nil, now: on + frozen.maximumRunSeconds + 100) == false)
        #expect(thermostat.reason == .probeFaultMinimumOffTime)
        #expect(thermostat.decide(celsius: nil, now: on + frozen.maximumRunSeconds + frozen.minimumOffSeconds) == true)
    }

    @Test func aProbeThatRecoversHandsBackToTheTemperature() {
        var thermostat = Thermostat(settings: .frozen, startedAt: start)
        #expect(thermostat.decide(celsius: nil, now: start + 200) == true)
        // −23 is past the cut-out point (−21.5), but the minimum on time holds first.
        #expect(thermostat.decide(celsius: -23, now: start + 220) == true)
        #expect(thermostat.reason == .minimumOnTime)
        #expect(thermostat.decide(celsius: -23, now: start + 260) == false)
        #expect(thermostat.reason == .temperatureSatisfied)
    }

    @Test func heatingIsMirrored() {
        let heated = ThermostatSettings.heated
        var thermostat = Thermostat(settings: heated, startedAt: start)
        #expect(thermostat.decide(celsius: 62, now: start + 200) == false)
        #expect(thermostat.decide(celsius: 61, now: start + 210) == true)
        #expect(thermostat.decide(celsius: 63.9, now: start + 400) == true)
        #expect(thermostat.decide(celsius: 64, now: start + 410) == false)
        // A heater's safe state is off.
        #expect(thermostat.decide(celsius: nil, now: start + 1000) == false)
        #expect(thermostat.reason == .probeFaultSafeState)
    }

    @Test func aClockSteppingBackRestartsTheTimers() {
        var (thermostat, on) = runningThermostat()
        #expect(thermostat.decide(celsius: cold, now: on + 100) == false)
        let stepBack = on - 10_000
        #expect(thermostat.decide(celsius: warm, now: stepBack) == false)
        #expect(thermostat.lastSwitch == stepBack)
        #expect(thermostat.decide(celsius: warm, now: stepBack + chilled.minimumOffSeconds - 1) == false)
        #expect(thermostat.decide(celsius: warm, now: stepBack + chilled.minimumOffSeconds) == true)
    }

    @Test func presetsAreValid() {
        for settings in [ThermostatSettings.chilled, .frozen, .heated] {
            #expect(settings.problems.isEmpty)
        }
    }

    @Test func invalidSettingsAreReported() {
        let reversed = ThermostatSettings(mode: .cooling, lowCelsius: 8, highCelsius: 2)
        #expect(reversed.problems.count == 1)
        let wideHysteresis = ThermostatSettings(mode: .cooling, lowCelsius: 2, highCelsius: 8, hysteresisCelsius: 6)
        #expect(wideHysteresis.problems.count == 1)
        let noHysteresis = ThermostatSettings(mode: .heating, lowCelsius: 55, highCelsius: 70, hysteresisCelsius: 0)
        #expect(noHysteresis.problems.count == 1)
        let badTimes = ThermostatSettings(
            mode: .cooling, lowCelsius: 2, highCelsius: 8, minimumOffSeconds: -1, minimumOnSeconds: 120, maximumRunSeconds: 60
        )
        #expect(badTimes.problems.count == 2)
        let noRun = ThermostatSettings(mode: .cooling, lowCelsius: 2, highCelsius: 8, maximumRunSeconds: 0)
        #expect(noRun.problems.count == 1)
    }
}
