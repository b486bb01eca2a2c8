import Foundation
import LockerReports
import Testing

/// The report of a simulated month equals the figures known from the way the month was made
/// (see `SimulatedMonth`); a record with one event removed or altered fails reconciliation.
@Suite("Custody report: a simulated month")
struct CustodyReportMonthTests {
    let month = SimulatedMonth()
    let berlin = TimeZone(identifier: SimulatedMonth.timeZone)!

    func report(_ input: ReportInput? = nil) throws -> CustodyReport {
        CustodyReportBuilder.build(input ?? month.input(), period: try ReportPeriod.month("2024-03", timeZone: berlin),
                                   now: Date(timeIntervalSince1970: month.now))
    }

    @Test func reconciliationBalancesPerClassWithTheKnownFigures() throws {
        let report = try report()
        // In at Mar 1 00:00: Feb 28 18:00 and Feb 29 18:00 (ambient), Feb 29 13:00 (chilled).
        // In at Apr 1 00:00: Mar 30 18:00, Mar 31 18:00, the forgotten ZTO parcel (ambient), Mar 31 13:00 (chilled).
        let expected = [
            CustodyReport.ClassBalance(temperatureClass: "ambient", inAtStart: 2, deposits: 31 + 31 + 1, pickups: 31, retrievals: 31,
                                       inAtEnd: 3, inAtEndPerTable: 3),
            CustodyReport.ClassBalance(temperatureClass: "chilled", inAtStart: 1, deposits: 31, pickups: 31, retrievals: 0,
                                       inAtEnd: 1, inAtEndPerTable: 1),
            CustodyReport.ClassBalance(temperatureClass: "frozen", inAtStart: 0, deposits: 1, pickups: 1, retrievals: 0,
                                       inAtEnd: 0, inAtEndPerTable: 0),
            CustodyReport.ClassBalance(temperatureClass: "heated"),
        ]
        #expect(report.reconciliation.classes == expected)
        #expect(report.reconciliation.total == CustodyReport.ClassBalance(
            temperatureClass: "all", inAtStart: 3, deposits: 95, pickups: 63, retrievals: 31, inAtEnd: 4, inAtEndPerTable: 4))
        #expect(report.reconciliation.differences.isEmpty)
        #expect(report.reconciliation.balanced)
        #expect(report.passed)
    }

    @Test func daysAreLocalAndTheLastOneHas23Hours() throws {
        let report = try report()
        #expect(report.days.count == 31)
        #expect(report.days.map(\.date).first == "2024-03-01")
        #expect(report.days.map(\.date).last == "2024-03-31")
        #expect(report.days.map(\.hours) == Array(repeating: 24, count: 30) + [23])
        for day in report.days {
            let expected: (Int, Int, Int) = switch day.date {
            case "2024-03-10", "2024-03-20": (4, 2, 1)
            case "2024-03-13": (3, 3, 1)
            default: (3, 2, 1)
            }
            #expect((day.deposits, day.pickups, day.retrievals) == expected, "\(day.date)")
        }
        #expect(report.days.last?.inAtEnd == 4)
    }

    @Test func theHourlyProfileCountsLocalHours() throws {
        let report = try report()
        var deposits = Array(repeating: 0, count: 24), pickups = deposits, retrievals = deposits
        deposits[9] = 31; deposits[13] = 31; deposits[18] = 31; deposits[10] = 1; deposits[11] = 1
        pickups[20] = 31; pickups[8] = 31; pickups[15] = 1
        retrievals[20] = 31
        #expect(report.hourOfDay.map(\.deposits) == deposits)
        #expect(report.hourOfDay.map(\.pickups) == pickups)
        #expect(report.hourOfDay.map(\.retrievals) == retrievals)
    }

    @Test func carriersAndCouriers() throws {
        let report = try report()
        // 18:00 parcels retrieved in March were deposited Feb 28 (YTO), Feb 29 (SF) and Mar 1-29 (15 SF, 14 YTO).
        #expect(report.carriers == [
            CustodyReport.PartyVolume(name: "SF Express", deposits: 31 + 16 + 1, pickups: 31 + 1, retrievals: 16),
            CustodyReport.PartyVolume(name: "JD Logistics", deposits: 31, pickups: 31, retrievals: 0),
            CustodyReport.PartyVolume(name: "YTO", deposits: 15, pickups: 0, retrievals: 15),
            CustodyReport.PartyVolume(name: "ZTO", deposits: 1, pickups: 0, retrievals: 0),
        ])
        #expect(report.couriers == [
            CustodyReport.PartyVolume(name: "1001", deposits: 64),
            CustodyReport.PartyVolume(name: "1002", deposits: 31),
            CustodyReport.PartyVolume(name: "1003", retrievals: 31),
        ])
    }

    @Test func dwellTimesAndOverdue() throws {
        let report = try report()
        // 94 parcels left: 31 x 11 h, one chilled over the DST night 18 h, 30 x 19 h, one
        // retrieval over it 49 h, 30 x 50 h, the frozen one 76 h. Rank 47 is 19 h, rank 85 is 50 h.
        #expect(report.dwell == CustodyReport.DwellTimes(count: 94, p50Seconds: 19 * 3_600, p90Seconds: 50 * 3_600, maxSeconds: 76 * 3_600))
        #expect(report.overdue == CustodyReport.OverdueFigures(flagged: 31 + 2, retrieved: 31, pickedUpLate: 1, inAtEnd: 1))
    }

    @Test func lockoutsAndFaults() throws {
        let report = try report()
        #expect(report.security == CustodyReport.SecurityFigures(keypadLockouts: 2, wrongCodesInLockouts: 10, courierLockouts: 1))
        // The board that went offline on Feb 29 23:00 counts from Mar 1 00:00 to its return at 01:00.
        #expect(report.faults == CustodyReport.FaultFigures(
            doorsForcedOpen: 1, doorsLeftOpen: 2, doorsOpenedUnseen: 0, parcelsMissing: 0, latchFailures: 1, boardOutages: 1,
            boardOutageSeconds: 3_600 + 1_800, temperatureExcursions: 1, probeFaults: 0))
    }

    @Test func occupancyPerSizeAndClass() throws {
        let report = try report()
        let lines = Dictionary(uniqueKeysWithValues: report.occupancy.map { ("\($0.size) \($0.temperatureClass)", $0) })
        #expect(report.occupancy.map { "\($0.size) \($0.temperatureClass)" } == ["S ambient", "M ambient", "L ambient", "XL ambient",
                                                                                  "M chilled", "S frozen"])
        #expect(lines["S ambient"]?.doors == 0, "a door out of service is no capacity")
        #expect(lines["L ambient"]?.doors == 3)
        // At every midnight the 18:00 parcels of the two days before are inside.
        #expect(lines["L ambient"]?.peakOccupied == 2)
        #expect(lines["L ambient"]?.occupiedAtEnd == 2)
        #expect(lines["XL ambient"]?.occupiedAtEnd == 1)
        #expect(lines["M chilled"]?.occupiedAtEnd == 1)
        #expect(lines["M ambient"]?.peakOccupied == 0, "the 09:00 parcels are gone by 20:00")
        #expect(lines["S frozen"]?.peakOccupied == 1)
    }

    @Test func uplinkDelayFromTheAcknowledgementTimes() throws {
        var input = month.input()
        // The server acknowledged each event a minute after it, up to Mar 20 00:00; nothing since.
        let cut = month.script.at(2024, 3, 20, 0)
        let acknowledged = input.events.filter { $0.occurredAt < cut }
        input.acknowledgements = acknowledged.map { UplinkAcknowledgementMark(firstSequence: $0.sequence, throughSequence: $0.sequence, acknowledgedAt: $0.occurredAt + 60) }
        input.acknowledgedThrough = acknowledged.last?.sequence ?? 0
        // The first day's events were acknowledged before acknowledgement times were kept.
        let untimed = input.events.filter { $0.occurredAt < month.script.at(2024, 3, 2, 0) }
        input.acknowledgements.removeFirst(untimed.count)
        let report = try report(input)
        let start = month.script.at(2024, 3, 1, 0), end = month.script.at(2024, 4, 1, 0)
        let inMarch = input.events.filter { $0.occurredAt >= start && $0.occurredAt < end }
        let untimedInMarch = untimed.filter { $0.occurredAt >= start }.count
        let pendingInMarch = inMarch.filter { $0.occurredAt >= cut }.count
        #expect(report.uplink == CustodyReport.UplinkDelay(
            acknowledged: inMarch.count - pendingInMarch - untimedInMarch, acknowledgedUntimed: untimedInMarch, pending: pendingInMarch,
            p50Seconds: 60, p90Seconds: 60, maxSeconds: 60))
        #expect(untimedInMarch > 0 && pendingInMarch > 0)
    }

    // MARK: - A tampered record

    @Test func aRemovedPickupFailsReconciliationAndNamesTheParcel() throws {
        var input = month.input()
        let victim = month.id("3-15-09")
        input.events.removeAll { $0.kind == ReportEventKind.pickupCommitted && $0.parcelIDs == [victim] }
        let report = try report(input)
        #expect(!report.passed)
        #expect(!report.reconciliation.balanced)
        let ambient = try #require(report.reconciliation.classes.first { $0.temperatureClass == "ambient" })
        #expect(ambient.inAtEnd == 4 && ambient.inAtEndPerTable == 3, "the record keeps it inside; the table does not")
        let difference = try #require(report.reconciliation.differences.only)
        #expect(difference.parcelID == victim)
        #expect(difference.tableStatus == "picked_up")
        #expect(difference.problem.contains("the record has it inside; the parcels table says picked_up"))
        #expect(difference.events.map(\.kind) == [ReportEventKind.depositCommitted], "its events are listed")
    }

    @Test func aRemovedDepositFailsReconciliation() throws {
        var input = month.input()
        let victim = month.id("3-7-13")
        input.events.removeAll { $0.kind == ReportEventKind.depositCommitted && $0.parcelID == victim }
        let report = try report(input)
        #expect(!report.passed)
        let chilled = try #require(report.reconciliation.classes.first { $0.temperatureClass == "chilled" })
        #expect(chilled.inAtStart + chilled.deposits != chilled.pickups + chilled.retrievals + chilled.inAtEnd)
        let difference = try #require(report.reconciliation.differences.only)
        #expect(difference.parcelID == victim)
        #expect(difference.problem.contains("left custody but the record has no deposit of it"))
        #expect(difference.events.map(\.kind) == [ReportEventKind.pickupCommitted])
    }

    @Test func anAlteredDepositClassIsADifference() throws {
        var input = month.input()
        let victim = month.id("3-12-09")
        let index = try #require(input.events.firstIndex { $0.kind == ReportEventKind.depositCommitted && $0.parcelID == victim })
        input.events[index].temperatureClass = "heated"
        let report = try report(input)
        #expect(!report.passed)
        let difference = try #require(report.reconciliation.differences.only)
        #expect(difference.parcelID == victim)
        #expect(difference.problem.contains("deposited as heated; the parcels table says ambient"))
    }

    @Test func anAlteredPickupThatNamesAnotherParcelIsTwoDifferences() throws {
        var input = month.input()
        let taken = month.id("3-12-09"), other = month.id("3-20-09")
        let index = try #require(input.events.firstIndex { $0.kind == ReportEventKind.pickupCommitted && $0.parcelIDs == [taken] })
        input.events[index].parcelIDs = [other]
        let report = try report(input)
        #expect(!report.passed)
        #expect(report.reconciliation.differences.map(\.parcelID) == [taken, other])
    }

    @Test func aBrokenChainFailsTheReportEvenWhenTheCountsAgree() throws {
        var input = month.input()
        input.chain = ChainCheck(intact: false, eventsChecked: 41, firstBadSequence: 42, problem: "event 42 was modified after it was recorded")
        let report = try report(input)
        #expect(report.reconciliation.balanced)
        #expect(!report.passed)
    }
}

extension Collection {
    /// The one element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
