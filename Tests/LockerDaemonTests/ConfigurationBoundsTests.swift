import Foundation
@testable import LockerDaemon
import LockerUplink
import Testing

/// Every numeric field has a documented range, checked alike for the file and for the central
/// server's remote changes; fields that would silently lose their meaning are refused.
@Suite struct ConfigurationBoundsTests {
    static let cabinet = #""boards":[{"address":1,"channels":4}],"compartments":[{"label":"X","size":"M","board":1,"channel":1}]"#

    static func problems(_ json: String) -> String {
        do {
            _ = try CabinetConfiguration.load(Data(json.utf8), name: "test.json")
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func aHugeWrongCodeCountIsRefusedInTheFile() {
        let found = Self.problems(#"{"wrongCodesBeforeLockout":1000000000,"# + Self.cabinet + "}")
        #expect(found.contains("wrongCodesBeforeLockout must be 1...10"), "\(found)")
    }

    @Test func aHugeWrongCodeCountIsRefusedFromTheServer() throws {
        let base = try CabinetConfiguration.load(Data(("{" + Self.cabinet + "}").utf8), name: "test.json")
        #expect(throws: CabinetConfiguration.OverrideError.self) {
            try base.applying(["wrongCodesBeforeLockout": .number(1_000_000_000)])
        }
        #expect(try base.applying(["wrongCodesBeforeLockout": .number(7)]).wrongCodesBeforeLockout == 7)
    }

    @Test func twoCouriersWithOneIDAreRefused() {
        let found = Self.problems(#"{"couriers":[{"id":"7","name":"A","pin":"1234"},{"id":"7","name":"B","pin":"5678"}],"#
                                  + Self.cabinet + "}")
        #expect(found.contains("courier id 7 is used twice"), "\(found)")
    }

    @Test func invalidUTF8IsRefusedNotReplaced() {
        var bytes = Array(#"{"cabinetID":"cab"#.utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array(("\"," + Self.cabinet + "}").utf8)
        do {
            let loaded = try CabinetConfiguration.load(Data(bytes), name: "test.json")
            Issue.record("accepted as \(loaded.cabinetID)")
        } catch {
            #expect("\(error)".contains("byte 17 is not valid UTF-8"), "\(error)")
        }
    }

    /// A cabinet of 30 doors, as the guessing arithmetic in the README assumes.
    static func thirtyDoors(_ extra: String = "") -> String {
        let compartments = (1...30).map { #"{"label":"A\#($0)","size":"M","board":1,"channel":\#($0)}"# }
        return #"{\#(extra)"boards":[{"address":1,"channels":30}],"compartments":["# + compartments.joined(separator: ",") + "]}"
    }

    @Test func theDefaultsGiveACenturyToGuessAtFullOccupancy() throws {
        let loaded = try CabinetConfiguration.load(Data(Self.thirtyDoors().utf8), name: "test.json")
        #expect(loaded.pickupCodeLength == 8)
        #expect(loaded.maximumLockoutSeconds == 1_200)
        #expect(loaded.expectedYearsToGuessAtFullOccupancy >= 100, "\(loaded.expectedYearsToGuessAtFullOccupancy)")
    }

    /// Six-digit codes (the old default) open one of 30 full doors in under a year at the fastest
    /// rate the lockout allows: refused, with the figure and the way out.
    @Test func sixDigitCodesAreRefusedWithTheFigure() {
        let found = Self.problems(Self.thirtyDoors(#""pickupCodeLength":6,"maximumLockoutSeconds":900,"#))
        #expect(found.contains("pickupCodeLength 6 with maximumLockoutSeconds 900 and wrongCodesBeforeLockout 5 lets a guesser open one of 30 occupied doors in 0.9 years on average (101 wrong codes a day)"), "\(found)")
        #expect(found.contains("pickupCodeLength 8 gives 90 years"), "\(found)")
    }

    @Test func eightDigitsWithAShortCapAreRefusedButNineDigitsPass() {
        #expect(Self.problems(Self.thirtyDoors(#""pickupCodeLength":8,"maximumLockoutSeconds":900,"#)).contains("in 90 years on average"))
        #expect(Self.problems(Self.thirtyDoors(#""pickupCodeLength":9,"maximumLockoutSeconds":900,"#)) == "")
    }

    /// Left out, the code length follows the cabinet: 8 digits for 30 doors, but 30 doors under a
    /// 15-minute cap (90 years with 8) get 9, as does a 39-door cabinet under the default cap.
    @Test func anOmittedCodeLengthIsTheShortestThatGivesACentury() throws {
        let thirty = try CabinetConfiguration.load(Data(Self.thirtyDoors().utf8), name: "test.json")
        #expect(thirty.pickupCodeLength == 8)
        let shortCap = try CabinetConfiguration.load(Data(Self.thirtyDoors(#""maximumLockoutSeconds":900,"#).utf8), name: "test.json")
        #expect(shortCap.pickupCodeLength == 9 && shortCap.expectedYearsToGuessAtFullOccupancy >= 100)
        let example = try CabinetConfiguration.load(
            from: StrictConfigurationTests.repository.appendingPathComponent("systemd/lockerd.example.json"))
        #expect(example.compartments.count == 39 && example.pickupCodeLength == 9, "\(example.compartments.count)")
    }

    /// The server may change the lockout remotely; it cannot weaken a cabinet below the goal.
    @Test func aServerChangeThatShortensGuessingIsRefused() throws {
        let base = try CabinetConfiguration.load(Data(Self.thirtyDoors().utf8), name: "test.json")
        #expect(throws: CabinetConfiguration.OverrideError.self) {
            try base.applying(["maximumLockoutSeconds": .number(600)])
        }
        #expect(try base.applying(["maximumLockoutSeconds": .number(1_800)]).maximumLockoutSeconds == 1_800)
    }
}
