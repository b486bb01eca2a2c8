import Foundation
import XCTest

@testable import LockerMaintenanceProtocol

/// What a technician reads: every door on the map with its alarms, overdue parcels impossible to
/// miss, ages in a fixed format, and an audit verdict that cannot be misread.
final class MaintenanceReportRendererTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_709_285_400)  // 2024-03-01T09:30:00Z

    private func door(
        _ label: String, state: String = "available", alarms: [String] = [], parcels: Int = 0,
        oldestParcelSeconds: Int? = nil, sensor: String = "closed", board: Int = 1, channel: Int = 1,
        quarantineReason: String? = nil
    ) -> DoorReport {
        DoorReport(
            label: label, size: "M", temperatureClass: "ambient", accessible: false, state: state,
            quarantineReason: quarantineReason, recordedOpen: false, sensor: sensor, itemPresent: nil, parcels: parcels,
            oldestParcelSeconds: oldestParcelSeconds, pending: nil, alarms: alarms, board: board, channel: channel,
            latchCycles: 0)
    }

    private func status(doors: [DoorReport], scanners: [CabinetStatusReport.Device] = []) -> CabinetStatusReport {
        CabinetStatusReport(
            cabinetName: "locker-17", time: now.addingTimeInterval(0.25), storeEpoch: "epoch-1", lastEventSequence: 812,
            keypadLockedUntil: nil, doors: doors,
            boards: [.init(address: 1, kind: "kerong-cu16", online: true, doors: 2),
                     .init(address: 2, kind: "simulated", online: false, doors: 1)],
            scanners: scanners, probes: [],
            uplink: QueueReport(state: "idle", depth: 0, oldestUnsentAt: nil, lastSuccessAt: nil, lastError: nil, backoffSeconds: nil))
    }

    // MARK: status

    func testStatusMapShowsEveryDoorWithItsAlarmsAndBoardChannel() {
        let doors = [
            door("A01", state: "occupied", parcels: 1, oldestParcelSeconds: 7_500),
            door("A02", alarms: ["forced_open", "left_open"], sensor: "open", channel: 2),
            door("B01", state: "quarantined", alarms: ["quarantined", "board_offline"], sensor: "unknown", board: 2,
                 quarantineReason: "latch jams"),
        ]
        let text = MaintenanceReportRenderer.status(status(doors: doors))
        let lines = text.split(separator: "\n").map(String.init)

        func row(_ label: String) -> String? { lines.first { $0.hasPrefix("  \(label) ") } }
        XCTAssertNotNil(row("A01"), text)
        XCTAssertTrue(row("A01")?.contains("2h 05m") ?? false, text)
        XCTAssertTrue(row("A02")?.contains("forced_open,left_open") ?? false, text)
        XCTAssertTrue(row("A02")?.contains("1/2") ?? false, text)
        XCTAssertTrue(row("A02")?.contains("open (recorded closed)") ?? false, text)
        XCTAssertTrue(row("B01")?.contains("quarantined,board_offline") ?? false, text)
        XCTAssertTrue(row("B01")?.contains("2/1") ?? false, text)
        XCTAssertTrue(row("B01")?.contains("latch jams") ?? false, text)
    }

    func testStatusHeaderNamesCabinetTimeKeypadAndUplink() {
        var report = status(doors: [door("A01")])
        let header = MaintenanceReportRenderer.status(report).split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(header.contains("locker-17"), header)
        XCTAssertTrue(header.contains("2024-03-01T09:30:00Z"), header)  // no fractional seconds
        XCTAssertTrue(header.contains("keypad ok"), header)
        XCTAssertTrue(header.contains("uplink idle"), header)

        report.keypadLockedUntil = now.addingTimeInterval(240)
        let locked = MaintenanceReportRenderer.status(report)
        XCTAssertTrue(locked.contains("keypad LOCKED until 2024-03-01T09:34:00Z"), locked)
    }

    func testStatusSaysNoneConfiguredForEmptyDeviceListsAndMarksOfflineBoards() {
        let text = MaintenanceReportRenderer.status(status(doors: [door("A01")]))
        XCTAssertTrue(text.contains("scanners and keypads:\n  none configured"), text)
        XCTAssertTrue(text.contains("probes:\n  none configured"), text)
        XCTAssertTrue(text.contains("OFFLINE"), text)
    }

    func testRenderingIsDeterministic() {
        let report = status(doors: [door("A01", state: "occupied", parcels: 2, oldestParcelSeconds: 61)])
        XCTAssertEqual(MaintenanceReportRenderer.status(report), MaintenanceReportRenderer.status(report))
    }

    // MARK: parcels

    func testOverdueParcelsAreMarkedAndOthersAreNot() {
        let onTime = ParcelReport(
            id: 5, trackingNumber: "TRK-ONTIME", door: "A01", size: "M", temperatureClass: "ambient", courier: "1001",
            depositedAt: now.addingTimeInterval(-7_500), retentionDeadline: now.addingTimeInterval(3_600),
            ageSeconds: 7_500, overdue: false)
        let late = ParcelReport(
            id: 6, trackingNumber: "TRK-LATE", door: "A02", size: "S", temperatureClass: "chilled", courier: "1002",
            depositedAt: now.addingTimeInterval(-200_000), retentionDeadline: now.addingTimeInterval(-27_200),
            ageSeconds: 200_000, overdue: true)
        let text = MaintenanceReportRenderer.parcels([onTime, late])
        let lines = text.split(separator: "\n").map(String.init)

        let lateRow = lines.first { $0.contains("TRK-LATE") } ?? ""
        let onTimeRow = lines.first { $0.contains("TRK-ONTIME") } ?? ""
        XCTAssertTrue(lateRow.contains("OVERDUE"), text)
        XCTAssertTrue(lateRow.contains("2d 07h"), text)
        XCTAssertFalse(onTimeRow.contains("OVERDUE"), text)
        XCTAssertTrue(onTimeRow.contains("2h 05m"), text)
        XCTAssertEqual(lines.last, "2 parcels, 1 OVERDUE")
        XCTAssertEqual(MaintenanceReportRenderer.parcels([]), "no parcels in custody")
    }

    // MARK: formats

    func testDurationsUseTwoUnitsWithAPaddedSecondOne() {
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: 0), "0s")
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: 45), "45s")
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: 125), "2m 05s")
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: 7_500), "2h 05m")
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: 200_000), "2d 07h")
        XCTAssertEqual(MaintenanceTextFormat.duration(seconds: -30), "0s", "a clock stepped back reads as zero")
        XCTAssertEqual(MaintenanceTextFormat.duration(29.2), "30s", "waits round up")
    }

    func testTimestampsAreUTCWithoutFractionalSeconds() {
        XCTAssertEqual(MaintenanceTextFormat.timestamp(now.addingTimeInterval(0.999)), "2024-03-01T09:30:00Z")
        XCTAssertEqual(
            MaintenanceTextFormat.timestamp(now.addingTimeInterval(-125), relativeTo: now),
            "2024-03-01T09:27:55Z (2m 05s ago)")
        XCTAssertEqual(MaintenanceTextFormat.celsius(-18.25), "-18.3°C")
        XCTAssertEqual(MaintenanceTextFormat.celsius(4), "4.0°C")
    }

    // MARK: events, actions, selftest

    func testEventsOnePerLineWithSequenceTimeKindDoorAndPayload() {
        let event = EventReport(
            sequence: 42, epoch: "e", kind: "deposit.committed", occurredAt: now, door: "A07", parcelID: 17,
            payload: "{\"tracking\":\"TRK-1\"}", previousHash: "p", hash: "h")
        var cabinetEvent = event
        cabinetEvent.sequence = 43
        cabinetEvent.door = nil
        cabinetEvent.parcelID = nil
        cabinetEvent.kind = "daemon.started"
        cabinetEvent.payload = "{\n}"

        XCTAssertEqual(
            MaintenanceReportRenderer.events([event, cabinetEvent]),
            """
            #42 2024-03-01T09:30:00Z deposit.committed A07 parcel 17 {"tracking":"TRK-1"}
            #43 2024-03-01T09:30:00Z daemon.started - { }
            """)
    }

    func testActionListsEachDoorAndTheAuditRecord() {
        let report = ActionReport(auditSequence: 99, doors: [
            .init(door: "A01", result: "done", detail: "latch released"),
            .init(door: "A02", result: "refused", detail: "board offline"),
        ])
        let text = MaintenanceReportRenderer.action(report)
        XCTAssertTrue(text.contains("A02   refused  board offline"), text)
        XCTAssertTrue(text.contains("1 done, 1 refused, 0 failed"), text)
        XCTAssertTrue(text.hasSuffix("audit record #99"), text)
    }

    func testSelftestShowsEachOutcomeAndASummary() {
        let text = MaintenanceReportRenderer.selftest([
            SelftestResult(door: "A01", outcome: "passed", detail: "opened in 120 ms"),
            SelftestResult(door: "A02", outcome: "failed", detail: "sensor never saw the door open"),
            SelftestResult(door: "B01", outcome: "skipped", detail: "holds parcels"),
            SelftestResult(door: "B02", outcome: "passed", detail: "opened in 90 ms"),
        ])
        XCTAssertTrue(text.contains("A02   failed   sensor never saw the door open"), text)
        XCTAssertTrue(text.contains("B01   skipped  holds parcels"), text)
        XCTAssertEqual(text.split(separator: "\n").last, "selftest: 2 passed, 1 failed, 1 skipped")
    }

    // MARK: audit

    func testIntactAuditSaysINTACTWithTheHead() {
        let text = MaintenanceReportRenderer.audit(
            AuditReport(intact: true, checked: 812, headSequence: 812, headHash: "9f2c", firstBadSequence: nil, problem: nil))
        XCTAssertEqual(text, "INTACT: 812 records checked, head #812 hash 9f2c")
    }

    func testBrokenAuditSaysBROKENAtTheFirstBadRecord() {
        let text = MaintenanceReportRenderer.audit(
            AuditReport(intact: false, checked: 812, headSequence: 812, headHash: "9f2c", firstBadSequence: 57,
                        problem: "hash does not match the record"))
        XCTAssertTrue(text.hasPrefix("BROKEN at #57: hash does not match the record"), text)
        XCTAssertFalse(text.contains("INTACT"), text)
    }

    // MARK: the rest

    func testQueueTemperaturesAndDiagnosticsReadPlainly() {
        let queue = MaintenanceReportRenderer.queue(
            QueueReport(state: "backing_off", depth: 12, oldestUnsentAt: now.addingTimeInterval(-7_500), lastSuccessAt: nil,
                        lastError: "HTTP 503", backoffSeconds: 29.5),
            now: now)
        XCTAssertEqual(queue, """
            uplink: backing_off
            queued events: 12
            oldest unsent: 2024-03-01T07:25:00Z (2h 05m ago)
            last success: never
            last error: HTTP 503
            next attempt in: 30s
            """)

        let temperatures = MaintenanceReportRenderer.temperatures([
            TemperatureReport(zone: "frozen", celsius: nil, lowCelsius: -25, highCelsius: -15, state: "probe_fault", sampledAt: nil),
        ], now: now)
        XCTAssertTrue(temperatures.contains("frozen"), temperatures)
        XCTAssertTrue(temperatures.contains("probe_fault"), temperatures)
        XCTAssertTrue(temperatures.contains("-25.0°C .. -15.0°C"), temperatures)

        let diagnostics = MaintenanceReportRenderer.diagnostics(
            DiagnosticsReport(path: "/var/lib/lockerd/diag/1", files: ["store.sqlite"], integrity: "ok"))
        XCTAssertEqual(diagnostics, "diagnostics bundle: /var/lib/lockerd/diag/1\nfiles:\n  store.sqlite\nintegrity: ok")
    }
}
