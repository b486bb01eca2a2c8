import XCTest

@testable import LockerMaintenanceProtocol

/// `MaintenanceRequest.parse` must say what is wrong with a line, so a technician with a
/// mismatched lockerctl (or a hand-typed `socat` session) learns why, not just "error".
final class MaintenanceRequestParsingTests: XCTestCase {
    private func failure(of line: String) -> MaintenanceFailure? {
        if case .failure(let failure) = MaintenanceRequest.parse(Array(line.utf8)) { return failure }
        return nil
    }

    func testLineThatIsNotAJSONObjectIsMalformed() {
        XCTAssertEqual(failure(of: "status")?.code, .malformed)
        XCTAssertEqual(failure(of: "{\"v\":1,")?.code, .malformed)
        XCTAssertEqual(failure(of: "[1,2]")?.code, .malformed)
        XCTAssertEqual(failure(of: "")?.code, .malformed)
    }

    func testMissingVersionIsABadRequestThatNamesTheDaemonsVersion() {
        let failure = failure(of: #"{"command":"status"}"#)
        XCTAssertEqual(failure?.code, .badRequest)
        XCTAssertTrue(failure?.message.contains("\"v\"") ?? false, failure?.message ?? "")
    }

    func testNewerVersionIsUnsupported() {
        let failure = failure(of: #"{"v":\#(MaintenanceProtocol.version + 1),"command":"status"}"#)
        XCTAssertEqual(failure?.code, .unsupportedVersion)
        XCTAssertTrue(failure?.message.contains("\(MaintenanceProtocol.version + 1)") ?? false)
    }

    func testUnknownCommandListsTheKnownOnes() {
        let failure = failure(of: #"{"v":1,"command":"self-destruct"}"#)
        XCTAssertEqual(failure?.code, .unknownCommand)
        XCTAssertTrue(failure?.message.contains("self-destruct") ?? false)
        XCTAssertTrue(failure?.message.contains("audit.verify") ?? false)
    }

    func testArgumentOfTheWrongTypeIsABadRequestNamingTheArgument() {
        let door = failure(of: #"{"v":1,"command":"open","door":7,"reason":"x"}"#)
        XCTAssertEqual(door?.code, .badRequest)
        XCTAssertTrue(door?.message.contains("\"door\"") ?? false, door?.message ?? "")

        let limit = failure(of: #"{"v":1,"command":"events","limit":"ten"}"#)
        XCTAssertEqual(limit?.code, .badRequest)
        XCTAssertTrue(limit?.message.contains("\"limit\"") ?? false, limit?.message ?? "")
    }

    func testEveryFieldSurvivesTheLineAndParsingBack() throws {
        let request = MaintenanceRequest(
            command: .selftest, id: 12, door: "A07", doors: ["A01", "B14"], reason: "quarterly\ncheck \"latch\"",
            after: 99, limit: 5, line: "force A01")
        let line = try MaintenanceProtocol.line(request)

        XCTAssertFalse(line.contains("\n"), "a request must stay on one line")
        XCTAssertEqual(try MaintenanceRequest.parse(Array(line.utf8)).get(), request)
    }

    func testEveryCommandParsesByItsWireName() throws {
        for command in MaintenanceProtocol.Command.allCases {
            let line = #"{"v":1,"command":"\#(command.rawValue)"}"#
            XCTAssertEqual(try MaintenanceRequest.parse(Array(line.utf8)).get().command, command)
        }
    }
}
