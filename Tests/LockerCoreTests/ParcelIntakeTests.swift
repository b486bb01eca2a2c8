import Foundation
import LockerCore
import Testing

@Suite("Parcel intake")
struct ParcelIntakeTests {
    enum Verdict: Sendable, Equatable {
        case ok, tooShort, tooLong, badCharacters
    }

    @Test(arguments: [
        ("", Verdict.tooShort),
        ("A", .tooShort),
        ("ABC", .tooShort),
        ("A-1", .tooShort),
        ("ABCD", .ok),
        ("1234", .ok),
        ("----", .ok),
        ("JJD000123", .ok),
        ("1Z999AA10123456784", .ok),
        ("ab-12-CD", .ok),
        (String(repeating: "9", count: 40), .ok),
        (String(repeating: "9", count: 41), .tooLong),
        (String(repeating: "A", count: 200), .tooLong),
        ("JJD 000123", .badCharacters),
        ("JJD_000123", .badCharacters),
        ("JJD000123\n", .badCharacters),
        ("https://example.com/t", .badCharacters),
        ("PAKET-ÄÖÜ", .badCharacters),
        ("\u{0661}\u{0662}\u{0663}\u{0664}", .badCharacters),  // Arabic-Indic digits
        ("ＡＢＣＤ", .badCharacters),  // full-width letters
        ("ABCD\u{0301}", .badCharacters),  // a combining accent on the last letter
    ])
    func trackingNumberValidation(text: String, verdict: Verdict) {
        let error = ParcelIntake.validationError(forTrackingNumber: text)
        switch verdict {
        case .ok:
            #expect(error == nil)
        case .tooShort:
            #expect(error == "tracking number \"\(text)\" is shorter than 4 characters")
        case .tooLong:
            #expect(error == "tracking number is longer than 40 characters")
        case .badCharacters:
            #expect(error == "tracking number \"\(text)\" has characters other than letters, digits and -")
        }
    }

    @Test func defaultsAreAmbientUnknownRecipientAnyHeight() {
        let intake = ParcelIntake(trackingNumber: "JJD000123", size: .m)
        #expect(intake.recipientReference == "")
        #expect(intake.temperatureClass == .ambient)
        #expect(!intake.needsAccessible)
    }

    @Test func intakeIsCodable() throws {
        let intake = ParcelIntake(trackingNumber: "JJD000123", recipientReference: "r-9", size: .xl,
                                  temperatureClass: .frozen, needsAccessible: true)
        let restored = try JSONDecoder().decode(ParcelIntake.self, from: JSONEncoder().encode(intake))
        #expect(restored == intake)
    }
}
