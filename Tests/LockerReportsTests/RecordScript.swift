import Foundation
import LockerReports

/// Writes a custody record the way the store does (events in sequence, parcel rows updated as
/// custody moves), at local times in one time zone with a manual clock: the test says when, nothing
/// reads a real clock.
struct RecordScript {
    let calendar: Calendar
    private(set) var events: [ReportEvent] = []
    private(set) var parcels: [Int64: ReportParcel] = [:]
    private var nextParcelID: Int64 = 1

    init(timeZone: String) {
        calendar = ReportPeriod.calendar(TimeZone(identifier: timeZone)!)
    }

    /// The instant of a local wall-clock time (the first one, on a day a time occurs twice).
    func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Double {
        calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!.timeIntervalSince1970
    }

    private mutating func append(_ event: ReportEvent) {
        var event = event
        event.sequence = Int64(events.count + 1)
        events.append(event)
    }

    @discardableResult
    mutating func deposit(at time: Double, class temperatureClass: String = "ambient", size: String = "M", carrier: String,
                          courier: String, door: Int) -> Int64 {
        let id = nextParcelID
        nextParcelID += 1
        let tracking = "TRK\(id)"
        parcels[id] = ReportParcel(id: id, trackingNumber: tracking, size: size, temperatureClass: temperatureClass, compartmentID: door,
                                   courierID: courier, carrier: carrier, depositedAt: time, retentionDeadline: time + 48 * 3_600,
                                   status: "in_custody")
        append(ReportEvent(sequence: 0, kind: ReportEventKind.depositCommitted, occurredAt: time, compartmentID: door, parcelID: id,
                           temperatureClass: temperatureClass, size: size, courierID: courier, carrier: carrier, trackingNumber: tracking))
        return id
    }

    mutating func pickup(_ id: Int64, at time: Double) {
        leave(id, at: time, kind: ReportEventKind.pickupCommitted, status: "picked_up", courier: nil)
    }

    mutating func retrieve(_ id: Int64, at time: Double, courier: String) {
        leave(id, at: time, kind: ReportEventKind.retrievalCommitted, status: "retrieved", courier: courier)
    }

    private mutating func leave(_ id: Int64, at time: Double, kind: String, status: String, courier: String?) {
        parcels[id]?.status = status
        parcels[id]?.endedAt = time
        append(ReportEvent(sequence: 0, kind: kind, occurredAt: time, compartmentID: parcels[id]?.compartmentID, parcelIDs: [id],
                           courierID: courier))
    }

    mutating func overdue(_ id: Int64, at time: Double) {
        parcels[id]?.status = "overdue"
        append(ReportEvent(sequence: 0, kind: ReportEventKind.parcelOverdue, occurredAt: time, compartmentID: parcels[id]?.compartmentID,
                           parcelID: id))
    }

    mutating func record(_ kind: String, at time: Double, count: Int64? = nil, subject: String? = nil) {
        append(ReportEvent(sequence: 0, kind: kind, occurredAt: time, count: count, subject: subject))
    }

    /// The record as the store would hand it over, with events up to `now` (the script may have
    /// planned later ones) and the parcels table as it stood then.
    func input(now: Double, compartments: [ReportCompartment], acknowledgements: [UplinkAcknowledgementMark] = [],
               acknowledgedThrough: Int64 = 0) -> ReportInput {
        ReportInput(cabinet: "test-cabinet", events: events, parcels: parcels.values.sorted { $0.id < $1.id },
                    compartments: compartments, chain: ChainCheck(intact: true, eventsChecked: Int64(events.count)),
                    acknowledgements: acknowledgements, acknowledgedThrough: acknowledgedThrough)
    }
}
