import Foundation
import LockerCore
import LockerReports
import LockerStore
import Synchronization
import Testing
@testable import LockerDaemon

/// The daily summary in a running cabinet (manual clock, Asia/Shanghai): the loop's housekeeping
/// makes a pass due when the local day changes, the pass records one `report.daily_summary` per
/// finished day with that day's figures, and never a second one for the same day.
@Suite struct DailySummaryFlowTests {
    static func summaries(_ cabinet: CabinetHarness) throws -> [[String: EventValue]] {
        try cabinet.events().filter { $0.kind == CustodyEvent.Kind.dailySummary.rawValue }.map {
            try JSONDecoder().decode([String: EventValue].self, from: Data($0.payload.utf8))
        }
    }

    @Test func aDayWithKnownDepositsAndPickupsIsSummarisedOnceAfterItEnds() async throws {
        var configuration = CabinetConfiguration.simulatedDefault
        configuration.timeZone = "Asia/Shanghai"
        // The manual clock starts at 2027-01-15 16:00 in Shanghai.
        let cabinet = try await CabinetHarness(configuration: configuration)
        defer { cabinet.removeFiles() }
        let summarizer = DailySummarizer(store: cabinet.store, cabinet: "test", timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                         logger: .init(label: "test"))
        let inbox = cabinet.inbox
        let record: DailySummarizer.Record = { date, payload, checkedThrough in
            await inbox.perform { $0.recordDailySummary(date: date, payload: payload, checkedThrough: checkedThrough) } ?? nil
        }
        let due = Mutex(0)
        _ = await inbox.perform { controller in controller.onDailySummaryDue = { due.withLock { $0 += 1 } } }
        await cabinet.wait(seconds: 1)
        #expect(due.withLock { $0 } == 1, "the first housekeeping makes a pass due")
        // The record began today: no day before it is summarised.
        #expect(await summarizer.pass(now: cabinet.clock.now(), record: record).isEmpty)

        // Three parcels in, two out, on 2027-01-15.
        _ = try await cabinet.depositAll(["SF2000000001", "SF2000000002", "SF2000000003"], thenPickUp: 2)
        let inside = try #require(try cabinet.liveParcels().first)
        #expect(await summarizer.pass(now: cabinet.clock.now(), record: record).isEmpty, "the day has not ended")

        // To a minute before local midnight (8 h later is 00:00 in Shanghai): the hourly pass;
        // then past midnight: the day change makes a pass due at once, not an hour later.
        let dueBefore = due.withLock { $0 }
        await cabinet.jump(seconds: 8 * 3_600 - 60)
        #expect(due.withLock { $0 } == dueBefore + 1, "an hour or more since the last")
        await cabinet.jump(seconds: 120)
        #expect(due.withLock { $0 } == dueBefore + 2, "a new local day, two minutes after the last")
        #expect(await summarizer.pass(now: cabinet.clock.now(), record: record) == ["2027-01-15"])

        let summary = try #require(try Self.summaries(cabinet).only)
        #expect(summary["date"] == .string("2027-01-15") && summary["time_zone"] == .string("Asia/Shanghai"))
        #expect(summary["deposits"] == .int(3) && summary["pickups"] == .int(2) && summary["retrievals"] == .int(0))
        #expect(summary["inside_at_start"] == .int(0) && summary["inside_at_end"] == .int(1) && summary["hours"] == .int(24))
        let parcelClass = inside.temperatureClass.description
        #expect(summary["\(parcelClass)_deposits"] == .int(3) && summary["\(parcelClass)_inside_at_end"] == .int(1))
        #expect(summary["chain_intact"] == .bool(true) && summary["reconciled"] == .bool(true) && summary["differences"] == .int(0))
        #expect(summary["overdue_flagged"] == .int(0))
        // Flat: every value a single string, number or truth.
        #expect(summary.values.allSatisfy { if case .strings = $0 { false } else if case .ints = $0 { false } else { true } })

        // Once: another pass, a new summarizer reading the record from its start (the next start
        // of lockerd), and the loop asked to record the same day again after a read that did not
        // see the summary (two passes racing), add nothing.
        #expect(await summarizer.pass(now: cabinet.clock.now(), record: record).isEmpty)
        let restarted = DailySummarizer(store: cabinet.store, cabinet: "test", timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                                        logger: .init(label: "test"))
        #expect(await restarted.pass(now: cabinet.clock.now(), record: record).isEmpty)
        let summarySequence = try #require(try cabinet.events().last { $0.kind == CustodyEvent.Kind.dailySummary.rawValue }?.sequence)
        #expect(await inbox.perform {
            $0.recordDailySummary(date: "2027-01-15", payload: summary, checkedThrough: summarySequence - 1)
        } == false)
        #expect(try Self.summaries(cabinet).count == 1)

        // The next day (nothing happened) and the one after: one summary each, in order, the
        // parcel still inside carried over.
        await cabinet.jump(seconds: 2 * 86_400)
        #expect(await summarizer.pass(now: cabinet.clock.now(), record: record) == ["2027-01-16", "2027-01-17"])
        let all = try Self.summaries(cabinet)
        #expect(all.map { $0["date"] } == [.string("2027-01-15"), .string("2027-01-16"), .string("2027-01-17")])
        #expect(all[1]["deposits"] == .int(0) && all[1]["inside_at_start"] == .int(1) && all[1]["inside_at_end"] == .int(1))
        guard case .intact = try cabinet.store.verifyEventChain() else {
            Issue.record("the record with its summaries does not verify")
            return
        }
        await cabinet.stop()
    }

    @Test func theDaysDueAreBoundedByTheLastSummaryTheRecordsStartAndTheCatchUp() throws {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        let now = try ReportPeriod.day("2024-03-31", timeZone: zone).start.addingTimeInterval(5 * 3_600)
        let longAgo = Date(timeIntervalSince1970: 0)
        let labels = { (last: String?, start: Date?, catchUp: Int) in
            DailySummarizer.daysDue(now: now, timeZone: zone, lastSummarised: last, recordStart: start, catchUp: catchUp).map(\.label)
        }
        #expect(labels("2024-03-28", longAgo, 7) == ["2024-03-29", "2024-03-30"])
        #expect(labels("2024-03-30", longAgo, 7).isEmpty, "yesterday is done, today has not ended")
        #expect(labels("2024-01-01", longAgo, 3) == ["2024-03-28", "2024-03-29", "2024-03-30"], "the newest missed days")
        #expect(labels(nil, longAgo, 7) == ["2024-03-30"], "no summary in the record: only yesterday")
        #expect(labels("2024-04-02", longAgo, 7).isEmpty, "a clock set back summarises nothing again")
        #expect(labels("2024-03-20", try ReportPeriod.day("2024-03-29", timeZone: zone).start.addingTimeInterval(60), 7)
                == ["2024-03-29", "2024-03-30"], "no day that ended before the record began")
        #expect(labels(nil, nil, 7).isEmpty, "an empty record")
        // 2024-03-31 in Berlin has 23 hours: its summary is for a day of 23 hours.
        let dst = DailySummarizer.daysDue(now: now.addingTimeInterval(86_400), timeZone: zone, lastSummarised: "2024-03-30",
                                          recordStart: longAgo, catchUp: 7)
        #expect(dst.map(\.label) == ["2024-03-31"] && dst.first.map { $0.end.timeIntervalSince($0.start) } == 23 * 3_600)
    }

    /// The configuration's `language` names a report language too (lockerctl words the report in it).
    @Test func everyPanelLanguageIsAReportLanguage() {
        #expect(PanelLanguage.allCases.map(\.rawValue) == ReportLanguage.allCases.map(\.rawValue))
    }
}

extension Array {
    /// The one element, nil when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
