import Foundation
import GRDB
import LockerCore
import LockerReports
import LockerStore
import Testing

/// Reports read from a real store: the record written as the custody code writes it, the chain
/// rehashed, and one event removed or altered behind the store's back making the report fail.
@Suite("Cabinet store: reports")
struct CabinetStoreReportTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!
    /// 2024-03-01 00:00 in Shanghai.
    static let marchStart = Date(timeIntervalSince1970: 1_709_222_400)

    static func stamp(_ date: Date) -> EventStamp {
        EventStamp(wallClock: date, monotonicNanoseconds: UInt64(date.timeIntervalSince1970 * 1e9))
    }

    /// Deposits `ids` (door = id % doors, carriers in turn) at `date` as one commit.
    static func deposit(_ store: CabinetStore, _ ids: [Int64], at date: Date, doors: Int = 4,
                        temperatureClass: TemperatureClass = .ambient) throws {
        let carriers = ["SF Express", "JD Logistics", "中通快递"]
        try store.transaction(at: stamp(date)) { tx in
            for id in ids {
                let parcel = Parcel(id: id, trackingNumber: "TRK\(id)", recipientReference: "r-\(id)", size: .m,
                                    temperatureClass: temperatureClass, compartmentID: Int(id) % doors, courierID: "1001",
                                    depositedAt: date, retentionDeadline: date.addingTimeInterval(48 * 3_600),
                                    carrier: carriers[Int(id) % carriers.count])
                try tx.append(CustodyEvent(.depositDoorOpened, compartmentID: parcel.compartmentID, payload: [
                    "tracking_number": .string(parcel.trackingNumber), "courier_id": "1001"]))
                try tx.append(CustodyEvent(.depositDoorSeenOpen, compartmentID: parcel.compartmentID, payload: [
                    "tracking_number": .string(parcel.trackingNumber)]))
                try tx.insert(parcel)
                try tx.append(CustodyEvent(.depositCommitted, compartmentID: parcel.compartmentID, parcelID: id, payload: [
                    "tracking_number": .string(parcel.trackingNumber), "courier_id": "1001", "size": "M",
                    "temperature_class": .string(temperatureClass.description), "carrier": .string(parcel.carrier),
                    "retention_deadline": .double(parcel.retentionDeadline.timeIntervalSince1970), "shared": false,
                ]))
            }
        }
    }

    static func pickUp(_ store: CabinetStore, _ ids: [Int64], at date: Date, doors: Int = 4) throws {
        try store.transaction(at: stamp(date)) { tx in
            for id in ids {
                try tx.append(CustodyEvent(.pickupDoorOpened, compartmentID: Int(id) % doors, payload: ["parcel_ids": .ints([id])]))
                try tx.setStatus(.pickedUp, parcelIDs: [id])
                try tx.append(CustodyEvent(.pickupCommitted, compartmentID: Int(id) % doors, payload: [
                    "parcel_ids": .ints([id]), "tracking_numbers": .strings(["TRK\(id)"])]))
            }
        }
    }

    func marchReport(_ store: CabinetStore, now: Date = marchStart.addingTimeInterval(40 * 86_400)) throws -> CustodyReport {
        let period = try ReportPeriod.month("2024-03", timeZone: Self.shanghai)
        return CustodyReportBuilder.build(try store.reportInput(cabinet: "c1", period: period), period: period, now: now)
    }

    /// Three parcels: 1 picked up in March, 2 still inside, 3 (chilled) deposited in February and picked up in March.
    func smallMonth(_ store: CabinetStore) throws {
        try Self.deposit(store, [1], at: Self.marchStart.addingTimeInterval(-86_400), temperatureClass: .chilled)
        try Self.deposit(store, [2, 3], at: Self.marchStart.addingTimeInterval(3 * 86_400 + 9 * 3_600))
        try Self.pickUp(store, [1, 2], at: Self.marchStart.addingTimeInterval(4 * 86_400 + 19 * 3_600))
    }

    @Test func aWholeRecordReconcilesAndKeepsTheCarrier() throws {
        try withFreshStore { store, _ in
            try smallMonth(store)
            let report = try marchReport(store)
            #expect(report.passed)
            #expect(report.chain.intact && report.chain.eventsChecked == 3 * 3 + 2 * 2)
            #expect(report.reconciliation.total == CustodyReport.ClassBalance(
                temperatureClass: "all", inAtStart: 1, deposits: 2, pickups: 2, retrievals: 0, inAtEnd: 1, inAtEndPerTable: 1))
            // Parcel 1 (JD Logistics) was deposited in February and picked up in March.
            #expect(report.carriers.map { "\($0.name) \($0.deposits)/\($0.pickups)" }.sorted()
                    == ["JD Logistics 0/1", "SF Express 1/0", "中通快递 1/1"])
            #expect(try store.parcels().map(\.carrier) == ["JD Logistics", "中通快递", "SF Express"])
            // Days are Shanghai's: 09:00 local on the 4th.
            #expect(report.days[3].deposits == 2)
            #expect(report.hourOfDay[9].deposits == 2 && report.hourOfDay[19].pickups == 2)
        }
    }

    @Test func anEventDeletedBehindTheStoresBackFailsTheReport() throws {
        try withFreshStore { store, directory in
            try smallMonth(store)
            try tamper(directory) { db in
                try db.execute(sql: "DELETE FROM events WHERE kind = 'pickup.committed' AND json_extract(payload, '$.parcel_ids[0]') = 2")
            }
            let report = try marchReport(store)
            #expect(!report.passed)
            #expect(!report.chain.intact)
            #expect(report.chain.problem?.contains("missing") == true || report.chain.problem?.contains("removed") == true)
            #expect(!report.reconciliation.balanced)
            let difference = try #require(report.reconciliation.differences.first)
            #expect(report.reconciliation.differences.count == 1)
            #expect(difference.parcelID == 2 && difference.tableStatus == "picked_up")
            #expect(CustodyReportText.render(report).contains("RECONCILIATION: FAILED"))
        }
    }

    @Test func anEventAlteredBehindTheStoresBackFailsTheReport() throws {
        try withFreshStore { store, directory in
            try smallMonth(store)
            try tamper(directory) { db in
                // Parcel 3 "was picked up" instead of parcel 2.
                try db.execute(sql: """
                    UPDATE events SET payload = json_set(payload, '$.parcel_ids', json('[3]'))
                    WHERE kind = 'pickup.committed' AND json_extract(payload, '$.parcel_ids[0]') = 2
                    """)
            }
            let report = try marchReport(store)
            #expect(!report.passed)
            #expect(report.chain.problem?.contains("modified") == true)
            #expect(report.reconciliation.differences.map(\.parcelID) == [2, 3])
        }
    }

    @Test func acknowledgementTimesGiveTheUplinkDelay() throws {
        try withFreshStore { store, _ in
            try smallMonth(store)
            // Everything before March was acknowledged before times were kept.
            try store.recordUplinkAcknowledgement(upTo: 3)
            try store.recordUplinkAcknowledgement(upTo: 9, at: Self.marchStart.addingTimeInterval(3 * 86_400 + 9 * 3_600 + 90))
            let report = try marchReport(store)
            #expect(report.uplink == CustodyReport.UplinkDelay(acknowledged: 6, acknowledgedUntimed: 0, pending: 4,
                                                                p50Seconds: 90, p90Seconds: 90, maxSeconds: 90))
        }
    }

    @Test func theKindNamesReportsReadAreTheRecordedOnes() {
        let recorded = Set(CustodyEvent.Kind.allCases.map(\.rawValue))
        for name in ReportEventKind.all { #expect(recorded.contains(name), "\(name)") }
    }

    /// A 10,000-parcel month (50,000 events), reported whole. The time it takes is printed, not
    /// asserted (README "Reports" has the measured figure; speed is not a unit test's business).
    /// With `LOCKERD_MONTH_DATABASE=FILE` the month's database is also written to FILE (a copy,
    /// `VACUUM INTO`), to time `lockerd report --database FILE --month 2024-03` in a release build.
    @Test func aTenThousandParcelMonth() throws {
        try withTemporaryStoreDirectory { directory in
            let store = try directory.open()
            let doors = 100
            try store.installLayout((0..<doors).map { Compartment(id: $0, label: String(format: "D%02d", $0), size: .m) })
            let perHour = 14
            let ids = (1...10_000).map(Int64.init)
            let hours = stride(from: 0, to: ids.count, by: perHour).map { Array(ids[$0..<min($0 + perHour, ids.count)]) }
            for hour in 0..<(hours.count + 3) {
                let at = Self.marchStart.addingTimeInterval(Double(hour) * 3_600 + 600)
                if hour >= 3 { try Self.pickUp(store, hours[hour - 3], at: at, doors: doors) }
                if hour < hours.count { try Self.deposit(store, hours[hour], at: at.addingTimeInterval(60), doors: doors) }
            }
            if let copy = ProcessInfo.processInfo.environment["LOCKERD_MONTH_DATABASE"], !copy.isEmpty {
                try? FileManager.default.removeItem(atPath: copy)
                try DatabaseQueue(path: directory.databasePath).writeWithoutTransaction { db in
                    try db.execute(sql: "VACUUM INTO ?", arguments: [copy])
                }
            }
            let clock = ContinuousClock()
            var report: CustodyReport?
            let elapsed = try clock.measure { report = try marchReport(store) }
            let verified = try #require(report)
            print("report of a 10,000-parcel month (\(verified.chain.eventsChecked) events): \(elapsed)")
            #expect(verified.passed)
            #expect(verified.chain.eventsChecked == 50_000)
            #expect(verified.reconciliation.total.deposits == 10_000 && verified.reconciliation.total.pickups == 10_000)
            let p50 = try #require(verified.dwell.p50Seconds)
            #expect(abs(p50 - 10_740) < 1, "picked up 3 hours after the hour, deposited a minute after it")
        }
    }

    /// Changes the database through a connection of its own, with the append-only triggers lifted:
    /// what someone with the file and sqlite3 could do.
    func tamper(_ directory: TemporaryStoreDirectory, _ change: (Database) throws -> Void) throws {
        let queue = try DatabaseQueue(path: directory.databasePath)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete")
            try change(db)
        }
    }
}
