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
}
