import Foundation
import LockerCore
import Testing

/// What the kiosk page is told: the step of the flow, what was typed (secrets masked), and the
/// message with its id, parameters and wording in the language chosen at the panel.
@Suite struct KioskScreenTests {
    let ann = Courier(id: "1001", name: "Ann")

    @Test func theStepFollowsThePanelAndSecretsAreMasked() {
        func screen(_ state: PanelStateMachine.State) -> KioskScreen {
            KioskScreen(state: state, language: .english, message: .welcome)
        }
        #expect(screen(.idle(typed: "")).step == .welcome)
        #expect(screen(.idle(typed: "")).typed == "")
        // A pickup code and a PIN are seen by whoever stands behind: one dot per digit.
        #expect(screen(.idle(typed: "482")).step == .pickupCode)
        #expect(screen(.idle(typed: "482")).typed == "•••")
        #expect(screen(.courierPIN(courierID: "1001", typed: "4321")).typed == "••••")
        #expect(screen(.courierPIN(courierID: "1001", typed: "4321")).step == .courierPIN)
        // A courier id and a tracking number are shown as typed, to be checked before ENTER.
        #expect(screen(.courierID(typed: "1001")).typed == "1001")
        #expect(screen(.courierReady(ann, typed: "7730")).typed == "7730")
        #expect(screen(.courierReady(ann, typed: "7730")).step == .courierReady)
        #expect(screen(.courierOptions(ann)).step == .courierOptions)
        let intake = ParcelIntake(trackingNumber: "773012345678", size: .s)
        #expect(screen(.choosingSize(ann, intake)).step == .choosingSize)
        #expect(screen(.depositDoorOpen(ann, intake, compartmentID: 0, label: "A01")).step == .depositDoor)
    }

    @Test func theMessageComesWithItsIdParametersAndWordingInTheChosenLanguage() {
        let committed = PanelMessage.depositCommitted(label: "A03", code: "97382946")
        let chinese = KioskScreen(state: .courierReady(ann, typed: ""), language: .simplifiedChinese, message: committed)
        #expect(chinese.language == .simplifiedChinese)
        #expect(chinese.message.id == .depositCommitted)
        #expect(chinese.message.arguments == ["label": "A03", "code": "97382946"])
        #expect(chinese.message.pickupCode == "97382946")
        #expect(chinese.message.text == PanelCatalogue.text(committed, in: .simplifiedChinese).text)
        #expect(chinese.message.text.contains("取件码") && chinese.message.text.contains("97382946"))
        let english = KioskScreen(state: .idle(typed: ""), language: .english, message: .pickupDone(label: "A03"))
        #expect(english.message.text == "Thank you. Door A03 is closed.")
        #expect(english.message.pickupCode == nil)
    }

    @Test func itTravelsAsJSONWithTheCatalogueNames() throws {
        let screen = KioskScreen(state: .idle(typed: ""), language: .simplifiedChinese,
                                 message: .chooseSize(trackingNumber: "SF1", suggested: .m, temperatureClass: .chilled))
        let json = try #require(String(data: try JSONEncoder().encode(screen), encoding: .utf8))
        #expect(json.contains(#""step":"welcome""#) && json.contains(#""language":"zh-Hans""#))
        #expect(json.contains(#""id":"choose_size""#) && json.contains(#""suggested_size":"M""#))
        #expect(try JSONDecoder().decode(KioskScreen.self, from: Data(json.utf8)) == screen)
    }
}
