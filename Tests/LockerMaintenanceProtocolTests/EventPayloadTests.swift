import Foundation
import LockerMaintenanceProtocol
import XCTest

/// Protocol version 2 sends an event's payload as a JSON object with ISO 8601 times; version 1
/// (older clients) still gets the stored text as a string; either is read back.
final class EventPayloadTests: XCTestCase {
    let stored = #"{"compartment":"A03","retention_deadline":1700172800,"shared":false,"tracking_number":"SF1"}"#

    var report: EventReport {
        EventReport(sequence: 4, epoch: "e1", kind: "deposit.committed", occurredAt: Date(timeIntervalSince1970: 1_700_000_000),
                    door: "A03", parcelID: 1, payload: stored, previousHash: "p", hash: "h")
    }

    func testVersionTwoSendsAnObjectWithISOTimes() throws {
        let line = try MaintenanceProtocol.line(report, version: 2)
        XCTAssertTrue(line.contains(#""payload":{"compartment":"A03","retention_deadline":"2023-11-16T22:13:20.000Z","shared":false,"tracking_number":"SF1"}"#), line)
        XCTAssertTrue(line.contains(#""occurredAt":"2023-11-14T22:13:20.000Z""#), line)
        let decoded = try MaintenanceProtocol.decoder().decode(EventReport.self, from: Data(line.utf8))
        XCTAssertEqual(decoded.payload, #"{"compartment":"A03","retention_deadline":"2023-11-16T22:13:20.000Z","shared":false,"tracking_number":"SF1"}"#)
    }

    func testVersionOneSendsTheStoredTextAsAString() throws {
        let line = try MaintenanceProtocol.line(report, version: 1)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["payload"] as? String, stored)
        XCTAssertEqual(try MaintenanceProtocol.decoder().decode(EventReport.self, from: Data(line.utf8)), report)
    }

    func testAPayloadThatIsNotJSONStaysAString() throws {
        var odd = report
        odd.payload = "not json"
        XCTAssertTrue(try MaintenanceProtocol.line(odd, version: 2).contains(#""payload":"not json""#))
    }

    func testTheVersionStringNamesTheReleaseAndTheProtocol() {
        XCTAssertEqual(MaintenanceProtocol.version, 2)
        XCTAssertEqual(ProductVersion.description, "\(ProductVersion.release) (maintenance protocol 2)")
    }
}
