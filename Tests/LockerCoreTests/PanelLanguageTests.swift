import Foundation
import LockerCore
import Testing

/// The language key: ENTER on the welcome screen with nothing typed switches the panel's language
/// for the person at it; the next person is greeted in the default again.
@Suite struct PanelLanguageTests {
    let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func enterOnTheWelcomeScreenSwitchesAndSwitchesBack() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        #expect(panel.language == .english)
        #expect(panel.keyPressed(.enter, now: start) == [.show(.welcome)])
        #expect(panel.language == .simplifiedChinese)
        #expect(panel.keyPressed(.enter, now: start + 1) == [.show(.welcome)])
        #expect(panel.language == .english)
    }

    @Test func enterAfterDigitsStillSaysTheCodeIsTooShort() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        _ = panel.keyPressed(.digit(4), now: start)
        #expect(panel.keyPressed(.enter, now: start + 1) == [.show(.codeTooShort(length: 6))])
        #expect(panel.language == .english)
    }

    @Test func theLanguageReturnsToTheDefaultAfterSilence() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6), defaultLanguage: .simplifiedChinese)
        #expect(panel.language == .simplifiedChinese)
        _ = panel.keyPressed(.enter, now: start)
        #expect(panel.language == .english)
        // A pickup code typed in the chosen language opens the door; the language stays for the
        // rest of the visit ...
        for digit: UInt8 in [1, 2, 3, 4, 5] { _ = panel.keyPressed(.digit(digit), now: start + 1) }
        #expect(panel.keyPressed(.digit(6), now: start + 2) == [.attemptPickup(code: "123456")])
        #expect(panel.tick(now: start + 21) == [])
        #expect(panel.language == .english)
        // ... and ends with the panel's silence.
        #expect(panel.tick(now: start + 22) == [.show(.welcome)])
        #expect(panel.language == .simplifiedChinese)
        #expect(panel.tick(now: start + 60) == [], "the default needs no second welcome")
    }

    @Test func aCourierKeepsTheLanguageUntilLoggingOut() {
        var panel = PanelStateMachine(codePolicy: PickupCodePolicy(length: 6))
        _ = panel.keyPressed(.enter, now: start)
        _ = panel.keyPressed(.menu, now: start)
        for key in "1001".compactMap { UInt8(String($0)) } { _ = panel.keyPressed(.digit(key), now: start) }
        _ = panel.keyPressed(.enter, now: start)
        for key in "4321".compactMap { UInt8(String($0)) } { _ = panel.keyPressed(.digit(key), now: start) }
        #expect(panel.keyPressed(.enter, now: start) == [.authenticateCourier(id: "1001", pin: "4321")])
        let courier = Courier(id: "1001", name: "Ann")
        _ = panel.courierAuthenticated(courier, now: start)
        #expect(panel.language == .simplifiedChinese)
        #expect(panel.keyPressed(.menu, now: start + 5) == [.show(.loggedOut), .show(.welcome)])
        #expect(panel.language == .english)
    }
}
