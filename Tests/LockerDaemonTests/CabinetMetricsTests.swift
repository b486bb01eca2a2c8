import Foundation
@testable import LockerDaemon
// RecordedEvent has no public initialiser: the store is the only thing that makes real ones.
@testable import LockerStore
import XCTest

/// What a technician scrapes must say what happened: counters by event kind, gauges set to the
/// last value, the unlock latency in the right buckets, and nothing shared between instances.
final class CabinetMetricsTests: XCTestCase {
    private var nextSequence: Int64 = 0

    private func event(_ kind: String) -> RecordedEvent {
        nextSequence += 1
        return RecordedEvent(sequence: nextSequence, epoch: "test", kind: kind, occurredAt: Date(timeIntervalSince1970: 0),
                             monotonicNanoseconds: 0, compartmentID: nil, parcelID: nil, payload: "{}",
                             previousHash: "", hash: "")
    }

    /// The exposition's sample lines, `name{labels}` -> value text, ignoring comments.
    private func samples(_ exposition: String) -> [String: String] {
        var samples: [String: String] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return samples
    }

    func testEveryCounterIsExposedAtZeroBeforeAnythingHappens() {
        let values = samples(CabinetMetrics().exposition())
        for name in [
            "lockerd_deposits_total", "lockerd_pickups_total", "lockerd_retrievals_total", "lockerd_wrong_codes_total",
            "lockerd_keypad_lockouts_total", "lockerd_latch_failures_total", "lockerd_board_offline_total",
            "lockerd_maintenance_actions_total", "lockerd_maintenance_peer_rejections_total",
            #"lockerd_door_alarms_total{alarm="forced_open"}"#, #"lockerd_door_alarms_total{alarm="left_open"}"#,
        ] {
            XCTAssertEqual(values[name], "0", name)
        }
        XCTAssertEqual(values["lockerd_unlock_latency_seconds_count"], "0")
    }

    func testCommittedEventsAreCountedByKind() {
        let metrics = CabinetMetrics()
        for kind in ["deposit.committed", "deposit.committed", "deposit.committed", "pickup.committed", "pickup.committed",
                     "retrieval.committed", "keypad.locked_out", "door.forced_open", "door.left_open", "door.left_open",
                     "latch.failed", "board.offline", "maintenance.action", "deposit.door_opened", "daemon.started"] {
            metrics.record(event(kind))
        }
        let values = samples(metrics.exposition())
        XCTAssertEqual(values["lockerd_deposits_total"], "3")
        XCTAssertEqual(values["lockerd_pickups_total"], "2")
        XCTAssertEqual(values["lockerd_retrievals_total"], "1")
        XCTAssertEqual(values["lockerd_keypad_lockouts_total"], "1")
        XCTAssertEqual(values[#"lockerd_door_alarms_total{alarm="forced_open"}"#], "1")
        XCTAssertEqual(values[#"lockerd_door_alarms_total{alarm="left_open"}"#], "2")
        XCTAssertEqual(values["lockerd_latch_failures_total"], "1")
        XCTAssertEqual(values["lockerd_board_offline_total"], "1")
        XCTAssertEqual(values["lockerd_maintenance_actions_total"], "1")
        // Kinds without a counter still move the sequence gauge.
        XCTAssertEqual(values["lockerd_last_event_sequence"], "15.0")
    }

    func testCountersAreTypedAsCounters() {
        let exposition = CabinetMetrics().exposition()
        XCTAssertTrue(exposition.contains("# TYPE lockerd_deposits_total counter\n"), exposition)
        XCTAssertTrue(exposition.contains("# TYPE lockerd_outbox_depth gauge\n"), exposition)
        XCTAssertTrue(exposition.contains("# TYPE lockerd_unlock_latency_seconds histogram\n"), exposition)
    }

    /// Every metric, the ones made on first use included, says what it means, right before its type.
    func testEveryMetricHasAHelpLineFromTheTable() {
        let metrics = CabinetMetrics()
        metrics.setCompartments(byState: ["available": 3])
        metrics.setCellTemperature(zone: "chilled", celsius: 4)
        metrics.maintenanceRequest(command: "status", outcome: "ok")
        let lines = metrics.exposition().split(separator: "\n")
        let typed = lines.indices.filter { lines[$0].hasPrefix("# TYPE ") }
        XCTAssertEqual(typed.count, CabinetMetrics.help.count, "a metric without a help text, or a help text without a metric")
        for index in typed {
            let name = String(lines[index].split(separator: " ")[2])
            let help = try? XCTUnwrap(CabinetMetrics.help[name], "no help text for \(name)")
            XCTAssertEqual(index > 0 ? String(lines[index - 1]) : "", "# HELP \(name) \(help ?? "")")
        }
    }

    func testWrongCodesAndMaintenanceRequestsAreCounted() {
        let metrics = CabinetMetrics()
        metrics.wrongCode()
        metrics.wrongCode()
        metrics.maintenanceRequest(command: "open", outcome: "ok")
        metrics.maintenanceRequest(command: "open", outcome: "ok")
        metrics.maintenanceRequest(command: "open", outcome: "forbidden")
        metrics.maintenanceRequest(command: "status", outcome: "ok")
        metrics.maintenancePeerRejected()
        let values = samples(metrics.exposition())
        XCTAssertEqual(values["lockerd_wrong_codes_total"], "2")
        XCTAssertEqual(values[#"lockerd_maintenance_requests_total{command="open",outcome="ok"}"#], "2")
        XCTAssertEqual(values[#"lockerd_maintenance_requests_total{command="open",outcome="forbidden"}"#], "1")
        XCTAssertEqual(values[#"lockerd_maintenance_requests_total{command="status",outcome="ok"}"#], "1")
        XCTAssertEqual(values["lockerd_maintenance_peer_rejections_total"], "1")
    }

    func testUnlockLatencyFillsCumulativeBucketsFromATenthOfAMillisecondToTwoSeconds() {
        let metrics = CabinetMetrics()
        metrics.unlockLatency(.microseconds(50))  // below the first bucket
        metrics.unlockLatency(.milliseconds(3))
        metrics.unlockLatency(.milliseconds(80))
        metrics.unlockLatency(.seconds(5))  // beyond the last bucket: only +Inf
        let values = samples(metrics.exposition())
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="0.0001"}"#], "1")
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="0.002"}"#], "1")
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="0.005"}"#], "2")
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="0.1"}"#], "3")
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="2.0"}"#], "3")
        XCTAssertEqual(values[#"lockerd_unlock_latency_seconds_bucket{le="+Inf"}"#], "4")
        XCTAssertEqual(values["lockerd_unlock_latency_seconds_count"], "4")
        XCTAssertEqual(values["lockerd_unlock_latency_seconds_sum"], "5.08305")
        // None of the factory's default buckets (5 ms ... 10 s) leak in.
        XCTAssertNil(values[#"lockerd_unlock_latency_seconds_bucket{le="10.0"}"#])
    }

    func testGaugesHoldTheLastValueSet() {
        let metrics = CabinetMetrics()
        metrics.setOutbox(depth: 12, oldestAgeSeconds: 340.5)
        metrics.setBoardsOffline(2)
        metrics.setDoorsOpen(1)
        metrics.setCellTemperature(zone: "chilled", celsius: 4.5)
        metrics.setCellTemperature(zone: "frozen", celsius: -18)
        metrics.setCellTemperature(zone: "chilled", celsius: 6.25)
        var values = samples(metrics.exposition())
        XCTAssertEqual(values["lockerd_outbox_depth"], "12.0")
        XCTAssertEqual(values["lockerd_outbox_oldest_age_seconds"], "340.5")
        XCTAssertEqual(values["lockerd_boards_offline"], "2.0")
        XCTAssertEqual(values["lockerd_doors_open"], "1.0")
        XCTAssertEqual(values[#"lockerd_cell_temperature_celsius{zone="chilled"}"#], "6.25")
        XCTAssertEqual(values[#"lockerd_cell_temperature_celsius{zone="frozen"}"#], "-18.0")

        // An empty outbox has no oldest event: the age goes back to 0 so an age alert clears.
        metrics.setOutbox(depth: 0, oldestAgeSeconds: nil)
        values = samples(metrics.exposition())
        XCTAssertEqual(values["lockerd_outbox_depth"], "0.0")
        XCTAssertEqual(values["lockerd_outbox_oldest_age_seconds"], "0.0")
    }

    func testAStateThatDisappearsFromTheCompartmentCountsDropsToZero() {
        let metrics = CabinetMetrics()
        metrics.setCompartments(byState: ["available": 20, "occupied": 9, "quarantined": 1])
        var values = samples(metrics.exposition())
        XCTAssertEqual(values[#"lockerd_compartments{state="available"}"#], "20.0")
        XCTAssertEqual(values[#"lockerd_compartments{state="occupied"}"#], "9.0")
        XCTAssertEqual(values[#"lockerd_compartments{state="quarantined"}"#], "1.0")

        metrics.setCompartments(byState: ["available": 21, "occupied": 9])
        values = samples(metrics.exposition())
        XCTAssertEqual(values[#"lockerd_compartments{state="available"}"#], "21.0")
        XCTAssertEqual(values[#"lockerd_compartments{state="quarantined"}"#], "0.0")
    }

    func testInstancesDoNotShareValues() {
        let first = CabinetMetrics()
        let second = CabinetMetrics()
        first.record(event("deposit.committed"))
        first.wrongCode()
        XCTAssertEqual(samples(first.exposition())["lockerd_deposits_total"], "1")
        XCTAssertEqual(samples(second.exposition())["lockerd_deposits_total"], "0")
        XCTAssertEqual(samples(second.exposition())["lockerd_wrong_codes_total"], "0")
    }
}
