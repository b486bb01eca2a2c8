import Foundation
import LockerColdChain
import LockerCore
import LockerStore

/// The cold chain's custody side: zone fitness for assignment, and its events in the custody
/// record. `ColdChainService` measures and decides; everything that must be in the hash chain and
/// the outbox is written here, on the controller's loop, like every other custody event.
extension CabinetController {
    /// A zone went out of (or back into) range or health: its compartments stop (or resume)
    /// taking new parcels. Parcels already inside stay and can be picked up.
    public func setClimateFit(_ isFit: Bool, compartmentIDs: [Int]) {
        model.setClimateFit(isFit, compartmentIDs: compartmentIDs)
    }

    /// Records an excursion's start with its event; returns the excursion's id.
    func recordExcursionStart(zone: String, labels: [String], excursion: Excursion) -> Int64? {
        let id = commit("excursion start") { tx -> Int64 in
            let id = try tx.startExcursion(zone: zone, direction: excursion.direction.storeName, start: excursion.start,
                                           peakCelsius: excursion.peakCelsius)
            try tx.append(CustodyEvent(.excursionStarted, payload: [
                "zone": .string(zone), "doors": .strings(labels), "excursion_id": .int(id),
                "direction": .string(excursion.direction.storeName),
                "started_at": .double(excursion.start.timeIntervalSince1970), "peak_celsius": .double(excursion.peakCelsius),
            ]))
            return id
        }
        publishNewEvents()
        return id
    }

    func recordExcursionEnd(id: Int64, zone: String, labels: [String], excursion: Excursion, end: Date) {
        _ = commit("excursion end") { tx in
            try tx.endExcursion(id: id, end: end, peakCelsius: excursion.peakCelsius)
            try tx.append(CustodyEvent(.excursionEnded, payload: [
                "zone": .string(zone), "doors": .strings(labels), "excursion_id": .int(id),
                "direction": .string(excursion.direction.storeName),
                "started_at": .double(excursion.start.timeIntervalSince1970), "ended_at": .double(end.timeIntervalSince1970),
                "duration_seconds": .double(end.timeIntervalSince(excursion.start)), "peak_celsius": .double(excursion.peakCelsius),
            ]))
        }
        publishNewEvents()
    }

    func recordProbeFault(zone: String, labels: [String], detail: String?) {
        _ = commit("probe state") { tx in
            var payload: [String: EventValue] = ["zone": .string(zone), "doors": .strings(labels)]
            if let detail { payload["detail"] = .string(detail) }
            try tx.append(CustodyEvent(detail == nil ? .probeRecovered : .probeFault, payload: payload))
        }
        publishNewEvents()
    }

    /// The temperature summary a pickup event carries for parcels of a cold zone, from the
    /// earliest deposit among them to now (nil for compartments no zone watches).
    func coldChainPayload(compartmentID: Int, parcels: [Parcel], until now: Date) -> [String: EventValue]? {
        guard let coldChainSummary, let earliest = parcels.map(\.depositedAt).min(),
              let summary = coldChainSummary(compartmentID, earliest, now)
        else { return nil }
        var payload: [String: EventValue] = [
            "temperature_seconds_out_of_band": .double(summary.secondsOutOfBand),
            "temperature_record_gap_seconds": .double(summary.gapSeconds),
            "temperature_excursions": .int(Int64(summary.excursionCount)),
        ]
        if let minimum = summary.minCelsius { payload["temperature_min_celsius"] = .double(minimum) }
        if let maximum = summary.maxCelsius { payload["temperature_max_celsius"] = .double(maximum) }
        return payload
    }
}

extension ExcursionDirection {
    /// As the store and the events spell it.
    var storeName: String { self == .tooWarm ? "too_warm" : "too_cold" }
}
