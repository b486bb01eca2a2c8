public import Foundation
public import LockerCore
import LockerReports
public import LockerStore
public import Logging
import Synchronization

/// Once per local day of the cabinet (configuration `timeZone`), after the day ends, records a
/// `report.daily_summary` event with the day's figures: deposits, pickups, retrievals, parcels
/// inside at the end, overdue, the same per temperature class, and whether the chain was intact
/// and the day reconciled. It goes upstream like every event, so the server has the station's
/// daily figures without asking for reports.
///
/// The report is built here, off the cabinet loop (it rehashes the whole chain, which takes a
/// moment on a large store); only the event is written on the loop
/// (`CabinetController.recordDailySummary`), where every event joins the chain, the feed and the
/// uplink. The cabinet loop's housekeeping says when a pass is due (`due`): at start, when the
/// local day changes and hourly, by the cabinet's clock, so the manual clock's `wait` drives it.
///
/// Power failure, step by step (each step is safe to repeat, and the record decides what is done):
/// 1. Finding the days due and building their reports only reads: a cut leaves nothing, and the
///    next start's first housekeeping makes a pass due, which finds the same days unsummarised.
/// 2. Recording a day's summary is one transaction that first looks for that day's summary among
///    the events recorded since this pass read the record, and adds none if it is there: a cut
///    before the commit leaves no event (the day is summarised again at the next start, with the
///    same figures: a finished day's record does not change), a cut after it leaves the event,
///    which the next pass sees. Never two summaries for one day, whatever the cut.
/// 3. Upload is the uplink's: the event waits in the record until the server acknowledges it.
/// A cabinet that was off for several days summarises the missed ones at start, up to
/// `catchUpDays` (the newest); days that ended before the record began are not summarised.
public final class DailySummarizer: Sendable {
    /// At most this many missed days are summarised at once (a cabinet off for a month does not
    /// rehash its record thirty times at start).
    public static let catchUpDays = 7

    private let store: CabinetStore
    private let cabinet: String
    private let timeZone: TimeZone
    private let logger: Logger
    private let wake = WakeSignal()
    /// What earlier passes learnt of the record, so that a pass reads only the events after
    /// `through` (the events table has no index on kind): the newest day summarised, and when
    /// the record began (compaction only moves that later, so an older value summarises nothing
    /// that should not be).
    private let known = Mutex<(newestDate: String?, through: Int64, recordStart: Date?)>((nil, 0, nil))

    public init(store: CabinetStore, cabinet: String, timeZone: TimeZone, logger: Logger) {
        self.store = store
        self.cabinet = cabinet
        self.timeZone = timeZone
        self.logger = logger
    }

    /// A pass is due (from the cabinet loop's housekeeping).
    public func due() {
        wake.signal()
    }

    /// Writes a day's summary on the cabinet loop unless a summary of that day was recorded after
    /// event `checkedThrough`: true when recorded, false when the day already had one, nil when
    /// the store refused (or the loop is stopping).
    public typealias Record = @Sendable (_ date: String, _ payload: [String: EventValue], _ checkedThrough: Int64) async -> Bool?

    /// A pass each time one is due, until cancelled.
    public func run(now: @escaping @Sendable () -> Date, record: @escaping Record) async {
        while !Task.isCancelled {
            await wake.wait(atMost: .seconds(86_400))
            guard !Task.isCancelled else { return }
            _ = await pass(now: now(), record: record)
        }
    }

    /// One pass: every finished day without a summary gets one, oldest first. Returns the dates
    /// recorded. A refusal stops the pass; the next one tries again.
    @discardableResult
    public func pass(now: Date, record: Record) async -> [String] {
        var recorded: [String] = []
        do {
            let before = known.withLock { $0 }
            let read = try store.dailySummaries(after: before.through)
            let newest = [before.newestDate, read.newestDate].compactMap { $0 }.max()
            let recordStart = before.recordStart ?? read.firstEventAt
            known.withLock { $0 = (newest, read.headSequence, recordStart) }
            let days = Self.daysDue(now: now, timeZone: timeZone, lastSummarised: newest, recordStart: recordStart,
                                    catchUp: Self.catchUpDays)
            for period in days where !Task.isCancelled {
                let report = CustodyReportBuilder.build(try store.reportInput(cabinet: cabinet, period: period), period: period, now: now)
                switch await record(period.label, Self.payload(of: report), read.headSequence) {
                case true?:
                    recorded.append(period.label)
                    known.withLock { $0.newestDate = max($0.newestDate ?? "", period.label) }
                    logger.info("daily summary recorded", metadata: [
                        "summary.date": "\(period.label)", "summary.reconciled": "\(report.passed)"])
                case false?:
                    continue
                case nil:
                    logger.warning("daily summary not recorded; the next pass tries again", metadata: ["summary.date": "\(period.label)"])
                    return recorded
                }
            }
        } catch {
            logger.error("daily summary: the record could not be read; the next pass tries again", metadata: ["error": "\(error)"])
        }
        return recorded
    }

    /// The finished local days (oldest first) still to summarise at `now`: those after the newest
    /// one summarised, or only yesterday when the record holds no summary (a new cabinet, or one
    /// whose summaries were compacted away: no older day is summarised again); at most `catchUp`
    /// (the newest), and none that ended before the record began.
    static func daysDue(now: Date, timeZone: TimeZone, lastSummarised: String?, recordStart: Date?, catchUp: Int) -> [ReportPeriod] {
        guard let recordStart else { return [] }
        let calendar = ReportPeriod.calendar(timeZone)
        let today = calendar.startOfDay(for: now)
        var days: [ReportPeriod] = []
        for back in 1...max(1, lastSummarised == nil ? 1 : catchUp) {
            guard let start = calendar.date(byAdding: .day, value: -back, to: today) else { break }
            let parts = calendar.dateComponents([.year, .month, .day], from: start)
            let label = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            // ISO dates compare as text; a clock set back finds nothing newer than the last summary.
            if let lastSummarised, label <= lastSummarised { break }
            guard let period = try? ReportPeriod.day(label, timeZone: timeZone), period.end > recordStart else { break }
            days.append(period)
        }
        return days.reversed()
    }

    /// The event's payload: flat (the record's payloads are), figures as integers, per class as
    /// `<class>_deposits`, `<class>_pickups`, `<class>_retrievals`, `<class>_inside_at_end`.
    static func payload(of report: CustodyReport) -> [String: EventValue] {
        let total = report.reconciliation.total
        var payload: [String: EventValue] = [
            "date": .string(report.period.label),
            "time_zone": .string(report.period.timeZone),
            "hours": .int(Int64(report.days.first?.hours ?? 24)),
            "inside_at_start": .int(Int64(total.inAtStart)),
            "deposits": .int(Int64(total.deposits)),
            "pickups": .int(Int64(total.pickups)),
            "retrievals": .int(Int64(total.retrievals)),
            "inside_at_end": .int(Int64(total.inAtEnd)),
            "overdue_flagged": .int(Int64(report.overdue.flagged)),
            "overdue_retrieved": .int(Int64(report.overdue.retrieved)),
            "overdue_inside_at_end": .int(Int64(report.overdue.inAtEnd)),
            "chain_intact": .bool(report.chain.intact),
            "reconciled": .bool(report.passed),
            "differences": .int(Int64(report.reconciliation.differences.count)),
        ]
        for line in report.reconciliation.classes {
            payload["\(line.temperatureClass)_deposits"] = .int(Int64(line.deposits))
            payload["\(line.temperatureClass)_pickups"] = .int(Int64(line.pickups))
            payload["\(line.temperatureClass)_retrievals"] = .int(Int64(line.retrievals))
            payload["\(line.temperatureClass)_inside_at_end"] = .int(Int64(line.inAtEnd))
        }
        return payload
    }
}
