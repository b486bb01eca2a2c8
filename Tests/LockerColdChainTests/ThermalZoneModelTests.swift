import Foundation
import LockerColdChain
import Testing

@Suite struct ThermalZoneModelTests {
    @Test func anIdleZoneDriftsTowardTheRoomExponentially() {
        var zone = ThermalZoneModel.chilled
        zone.advance(seconds: 3600, relayOn: false, doorOpen: false)
        // One time constant: 63% of the way from 5 °C to 22 °C.
        #expect(abs(zone.celsius - (22 - 17 * exp(-1))) < 0.01)
    }

    @Test func anOpenDoorWarmsFasterAndTheRelayCools() {
        var shut = ThermalZoneModel.chilled
        var open = ThermalZoneModel.chilled
        var cooled = ThermalZoneModel.chilled
        shut.advance(seconds: 60, relayOn: false, doorOpen: false)
        open.advance(seconds: 60, relayOn: false, doorOpen: true)
        cooled.advance(seconds: 60, relayOn: true, doorOpen: false)
        #expect(open.celsius - 5 > 5 * (shut.celsius - 5))
        #expect(cooled.celsius < 5)
    }

    @Test func aHeaterHeats() {
        var zone = ThermalZoneModel.heated
        zone.advance(seconds: 60, relayOn: true, doorOpen: false)
        #expect(zone.celsius > 62.5)
    }

    @Test func theResultDoesNotDependOnHowTimeIsSliced() {
        var once = ThermalZoneModel.frozen
        var often = ThermalZoneModel.frozen
        once.advance(seconds: 600, relayOn: true, doorOpen: false)
        for _ in 0..<60 { often.advance(seconds: 10, relayOn: true, doorOpen: false) }
        #expect(abs(once.celsius - often.celsius) < 1e-9)
    }
}
