import Foundation
import LockerColdChain
import LockerCore
import LockerDaemon
import LockerMaintenanceProtocol
import LockerSimulator
import LockerStore
import Testing

/// The cold chain in the whole cabinet, on the manual clock and the simulated zones' thermal
/// model: the thermostat, an excursion caused on purpose (a compressor that stops cooling), probe
/// faults, assignment that refuses out-of-range cells, and a parcel's record from deposit to pickup.
@Suite struct ColdChainFlowTests {
    static func payload(_ event: RecordedEvent) throws -> [String: EventValue] {
        try JSONDecoder().decode([String: EventValue].self, from: Data(event.payload.utf8))
    }

    static func double(_ value: EventValue?) -> Double? {
        switch value {
        case .double(let number)?: return number
        case .int(let number)?: return Double(number)
        default: return nil
        }
    }

    func advise(_ cabinet: CabinetHarness, _ tracking: String, _ temperatureClass: TemperatureClass) async {
        let intake = ParcelIntake(trackingNumber: tracking, recipientReference: "flat-12", size: .s, temperatureClass: temperatureClass,
                                  needsAccessible: false)
        await cabinet.inbox.inspect { controller in controller.addPreAdvice(intake) }
    }

    @Test func anExcursionIsRecordedWithItsDurationAndPeakAndColdDepositsWaitForTheZone() async throws {
        let cabinet = try await CabinetHarness(withColdChain: true)
        defer { cabinet.removeFiles() }
        let coldChain = try #require(cabinet.coldChain)
        await cabinet.advance(seconds: 600)
        #expect(coldChain.reports.map(\.state) == ["in_band", "in_band", "in_band"], "\(coldChain.reports)")

        // Both chilled zones' compressors stop cooling: no chilled cell stays in range.
        for zone in ["chilled-a", "chilled-b"] { coldChain.simulatedZones[zone]?.setRelayBroken(true) }
        await cabinet.advance(seconds: 3 * 3_600)
        let started = try cabinet.events().filter { $0.kind == "coldchain.excursion_started" }
        #expect(started.count == 2)
        #expect(coldChain.reports.first { $0.zone == "chilled-a" }?.state == "excursion")
        // The excursion began when the zone first left its band, not when the grace ran out.
        let firstStart = try #require(Self.double(Self.payload(started[0])["started_at"]))
        #expect(firstStart < started[0].occurredAt.timeIntervalSince1970 - 800)

        await advise(cabinet, "CC0000000001", .chilled)
        await cabinet.courierLogin()
        await cabinet.scan("CC0000000001")
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay.contains("No chilled compartment is at its temperature right now"), "\(cabinet.lastDisplay)")
        #expect(try !cabinet.eventKinds().contains("deposit.door_opened"))

        // Repaired, the zones cool down; the excursions end with their whole length and peak.
        for zone in ["chilled-a", "chilled-b"] { coldChain.simulatedZones[zone]?.setRelayBroken(false) }
        await cabinet.advance(seconds: 2 * 3_600)
        let ended = try cabinet.events().filter { $0.kind == "coldchain.excursion_ended" }
        try #require(ended.count == 2)
        for event in ended {
            let payload = try Self.payload(event)
            let start = try #require(Self.double(payload["started_at"]))
            let end = try #require(Self.double(payload["ended_at"]))
            let duration = try #require(Self.double(payload["duration_seconds"]))
            #expect(abs(duration - (end - start)) < 0.001)
            #expect(duration > 3 * 3_600 - 1_000)
            // The peak is the warmest sample the record holds for the zone in that time.
            guard case .string(let zone)? = payload["zone"] else { Issue.record("no zone in \(payload)"); continue }
            let segments = try cabinet.store.temperatureSegments(
                zone: zone, from: Date(timeIntervalSince1970: start), to: Date(timeIntervalSince1970: end))
            let warmest = try #require(segments.map(\.maxCelsius).max())
            #expect(try #require(Self.double(payload["peak_celsius"])) == warmest)
        }
        #expect(coldChain.reports.allSatisfy { $0.state == "in_band" }, "\(coldChain.reports)")
        // Both events are in the outbox, in the hash chain, waiting for the uplink.
        guard case .intact = try cabinet.store.verifyEventChain() else {
            Issue.record("the event chain is broken")
            return
        }

        await cabinet.courierLogin()  // the first session timed out meanwhile
        await cabinet.scan("CC0000000001")
        await cabinet.press("enter")
        let label = try #require(cabinet.openDoorLabel(), "\(cabinet.display.suffix(3))")
        #expect(["A15", "A16", "B11", "B12"].contains(label))
        await cabinet.stop()
    }

    @Test func aFaultyProbeStopsColdDepositsAndIsRaisedOnceUntilItRecovers() async throws {
        let cabinet = try await CabinetHarness(withColdChain: true)
        defer { cabinet.removeFiles() }
        let coldChain = try #require(cabinet.coldChain)
        let frozen = try #require(coldChain.simulatedZones["frozen-b"])
        await cabinet.advance(seconds: 120)
        for failure in SimulatedColdZone.ProbeFailure.allCases {
            frozen.setProbeFailure(failure)
            await cabinet.advance(seconds: 300)
            let report = try #require(coldChain.reports.first { $0.zone == "frozen-b" })
            #expect(report.state == "probe_fault", "\(failure): \(report)")
            // A freezer's safe state here is compressor on (relayOnWhenProbeFaulty): while the
            // probe was out it ran, so the zone may come back a little below its band.
            #expect(report.relayOn == true)
            frozen.setProbeFailure(nil)
            await cabinet.advance(seconds: 120)
            let back = try #require(coldChain.reports.first { $0.zone == "frozen-b" })
            #expect(back.state == "in_band" || back.state == "out_of_band", "\(back)")
        }
        let kinds = try cabinet.eventKinds()
        #expect(kinds.filter { $0 == "coldchain.probe_fault" }.count == 3)
        #expect(kinds.filter { $0 == "coldchain.probe_recovered" }.count == 3)
        let details = try cabinet.events().filter { $0.kind == "coldchain.probe_fault" }.map(\.payload)
        #expect(details[0].contains("CRC"))
        #expect(details[1].contains("unplugged"))
        #expect(details[2].contains("85"))

        frozen.setProbeFailure(.unplugged)
        await cabinet.advance(seconds: 300)
        await advise(cabinet, "FR0000000001", .frozen)
        await cabinet.courierLogin()
        await cabinet.scan("FR0000000001")
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay.contains("No frozen compartment is at its temperature right now"), "\(cabinet.lastDisplay)")
        await cabinet.stop()
    }

    @Test func aChilledParcelsPickupCarriesItsTemperatureRecordWhichCoversItsWholeCustody() async throws {
        let cabinet = try await CabinetHarness(withColdChain: true)
        defer { cabinet.removeFiles() }
        await cabinet.advance(seconds: 300)
        await advise(cabinet, "CC0000000002", .chilled)
        await cabinet.courierLogin()
        let (label, shown) = try await cabinet.deposit("CC0000000002")
        let code = try #require(shown)
        await cabinet.press("enter 2")
        let deposited = try #require(try cabinet.liveParcels().first).depositedAt

        // Half a day with the door opened now and then: the thermostat holds the band.
        for _ in 0..<6 {
            await cabinet.advance(seconds: 3_600)
            try await cabinet.open(label, force: true)
            await cabinet.advance(seconds: 60)
            try await cabinet.close(label)
        }
        // The resident comes between two samples: the last one still stands, no gap.
        cabinet.clock.advance(seconds: 17)
        await cabinet.press(code)
        try await cabinet.take(label)
        try await cabinet.close(label)
        let pickup = try #require(try cabinet.events().last { $0.kind == "pickup.committed" })
        let payload = try Self.payload(pickup)
        let minimum = try #require(Self.double(payload["temperature_min_celsius"]))
        let maximum = try #require(Self.double(payload["temperature_max_celsius"]))
        #expect(minimum >= 2 && maximum <= 8, "\(minimum)...\(maximum)")
        #expect(Self.double(payload["temperature_seconds_out_of_band"]) == 0)
        #expect(Self.double(payload["temperature_record_gap_seconds"]) == 0)
        #expect(payload["temperature_excursions"] == .int(0))

        // The exported record (lockerctl temps --parcel): from deposit to pickup, nothing missing.
        let record = try #require(try ColdChainService.record(
            trackingNumber: "CC0000000002", configuration: cabinet.configuration, store: cabinet.store, now: cabinet.clock.now()))
        #expect(record.zone == (label.hasPrefix("A") ? "chilled-a" : "chilled-b") && record.door == label, "\(record.zone) \(label)")
        #expect(record.depositedAt == deposited && record.pickedUpAt == pickup.occurredAt)
        #expect(record.gapSeconds == 0 && record.secondsOutOfBand == 0)
        #expect(record.minCelsius == minimum && record.maxCelsius == maximum)
        let first = try #require(record.segments.first), last = try #require(record.segments.last)
        #expect(first.start <= deposited && last.end == pickup.occurredAt)
        for (earlier, later) in zip(record.segments, record.segments.dropFirst()) {
            #expect(later.start == earlier.end, "a gap from \(earlier.end) to \(later.start)")
        }
        // Samples at least every 60 s: no segment holds fewer samples than its length allows.
        for segment in record.segments where segment.end > segment.start {
            #expect(Double(segment.samples) >= segment.end.timeIntervalSince(segment.start) / 60, "\(segment)")
        }
        let text = MaintenanceReportRenderer.temperatureRecord(record)
        #expect(text.split(separator: "\n").count == 4 + record.segments.count)
        #expect(text.contains("out of band 0 s, unrecorded 0 s, 0 excursion(s)"))
        #expect(try ColdChainService.record(trackingNumber: "NOPE0000", configuration: cabinet.configuration, store: cabinet.store,
                                            now: cabinet.clock.now()) == nil)
        await cabinet.stop()
    }

    @Test func coldCellsTakeNoParcelBeforeTheirZonesFirstHealthySample() async throws {
        let cabinet = try await CabinetHarness(withColdChain: true)
        defer { cabinet.removeFiles() }
        await advise(cabinet, "CC0000000003", .chilled)
        await cabinet.courierLogin()
        await cabinet.scan("CC0000000003")
        await cabinet.press("enter")
        #expect(cabinet.lastDisplay.contains("No chilled compartment is at its temperature right now"), "\(cabinet.lastDisplay)")
        // One sample later the zones are known to be in band.
        await cabinet.advance(seconds: 30)
        await cabinet.scan("CC0000000003")
        await cabinet.press("enter")
        #expect(cabinet.openDoorLabel() != nil, "\(cabinet.display.suffix(2))")
        await cabinet.stop()
    }

    @Test func anExcursionWhoseGraceEndsWhileTheProbeIsOutIsStillRecorded() async throws {
        let cabinet = try await CabinetHarness(withColdChain: true)
        defer { cabinet.removeFiles() }
        let coldChain = try #require(cabinet.coldChain)
        let zone = try #require(coldChain.simulatedZones["chilled-a"])
        await cabinet.advance(seconds: 300)
        zone.setRelayBroken(true)
        // Warm until just out of band (grace running), then the probe goes.
        for _ in 0..<200 where zone.celsius < 8.2 { await cabinet.advance(seconds: 30) }
        zone.setProbeFailure(.unplugged)
        await cabinet.advance(seconds: 1_800)
        let started = try cabinet.events().filter { $0.kind == "coldchain.excursion_started" && $0.payload.contains("chilled-a") }
        #expect(started.count == 1)
        zone.setProbeFailure(nil)
        zone.setRelayBroken(false)
        await cabinet.advance(seconds: 3 * 3_600)
        #expect(try cabinet.events().filter { $0.kind == "coldchain.excursion_ended" && $0.payload.contains("chilled-a") }.count == 1)
        #expect(try cabinet.store.ongoingExcursions().isEmpty)
        await cabinet.stop()
    }
}
