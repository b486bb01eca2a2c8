import Foundation
import LockerCore
import Testing

/// What a screen process with `display.format = "json"` reads: every message of the catalogue as
/// one line of JSON that names it, carries its parameters and its wording, in both languages.
@Suite struct PanelMessageJSONLineTests {
    @Test(arguments: PanelLanguage.allCases)
    func everyMessageIsOneLineOfJSONWithItsIdParametersAndWording(language: PanelLanguage) throws {
        for message in PanelMessageSamples.all {
            let line = message.jsonLine(in: language)
            #expect(!line.contains("\n"), "\(message.id)")
            let decoded = try JSONDecoder().decode(PanelMessage.Line.self, from: Data(line.utf8))
            #expect(decoded.id == message.id)
            #expect(decoded.arguments == message.arguments)
            #expect(decoded.language == language)
            #expect(decoded.text == PanelCatalogue.text(message, in: language).text)
            #expect(decoded.pickupCode == message.pickupCode)
        }
    }

    @Test func theLineIsStableForAScreenProcessToParse() {
        #expect(PanelMessage.depositCommitted(label: "A03", code: "97382946").jsonLine(in: .english)
            == #"{"arguments":{"code":"97382946","label":"A03"},"id":"deposit_committed","language":"en","#
            + #""pickupCode":"97382946","text":"Deposited in A03. Pickup code 97382946. Scan the next parcel."}"#)
    }
}
