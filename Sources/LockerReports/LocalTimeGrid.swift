import FoundationEssentials

/// The local days and hours of a period, laid out once so that each event finds its day and hour
/// of day by a binary search instead of a calendar computation (a 10,000-parcel month has some
/// 50,000 events; the calendar would dominate the report).
///
/// Each day runs from one local midnight to the next: 23 hours on the day clocks go forward, 25 on
/// the day they go back. Its slots are one hour each from midnight, labelled with the local hour
/// at their start, so on a 25-hour day the repeated hour has two slots with the same label (both
/// count in the hour-of-day profile) and on a 23-hour day the skipped hour has none. Zones whose
/// change is not a whole hour (Lord Howe) get slots that straddle local hours around the change.
struct LocalTimeGrid {
    struct Day {
        /// "YYYY-MM-DD" in the report's time zone.
        var date: String
        var start: Double
        var end: Double
        var hours: Int { Int(((end - start) / 3_600).rounded()) }
    }

    let days: [Day]
    /// The start of every slot, ascending; `slotStarts.last` is followed by the period's end.
    private let slotStarts: [Double]
    private let slotHour: [Int]
    private let slotDay: [Int]
    private let end: Double

    init(period: ReportPeriod) {
        let timeZone = TimeZone(identifier: period.timeZone) ?? TimeZone(secondsFromGMT: 0)!
        let calendar = ReportPeriod.calendar(timeZone)
        var days: [Day] = []
        var starts: [Double] = [], hours: [Int] = [], dayIndexes: [Int] = []
        var dayStart = period.start
        while dayStart < period.end {
            let next = calendar.date(byAdding: .day, value: 1, to: dayStart).map { calendar.startOfDay(for: $0) } ?? period.end
            let dayEnd = min(next > dayStart ? next : period.end, period.end)
            let components = calendar.dateComponents([.year, .month, .day], from: dayStart)
            days.append(Day(date: Self.dateText(components), start: dayStart.timeIntervalSince1970, end: dayEnd.timeIntervalSince1970))
            var slot = dayStart.timeIntervalSince1970
            while slot < dayEnd.timeIntervalSince1970 {
                starts.append(slot)
                hours.append(calendar.component(.hour, from: Date(timeIntervalSince1970: slot)))
                dayIndexes.append(days.count - 1)
                slot += 3_600
            }
            dayStart = dayEnd
        }
        self.days = days
        self.slotStarts = starts
        self.slotHour = hours
        self.slotDay = dayIndexes
        self.end = period.end.timeIntervalSince1970
    }

    /// The day (index into `days`) and local hour of an instant; nil outside the period.
    func locate(_ time: Double) -> (day: Int, hour: Int)? {
        guard let first = slotStarts.first, time >= first, time < end else { return nil }
        var low = 0, high = slotStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if slotStarts[middle] <= time { low = middle } else { high = middle - 1 }
        }
        return (slotDay[low], slotHour[low])
    }

    /// The day an instant falls in (the last day for the period's end itself, so "at the end of the
    /// day" figures can be read at a day's end).
    func dayIndex(endingAt time: Double) -> Int? {
        days.firstIndex { $0.end == time }
    }

    static func dateText(_ components: DateComponents) -> String {
        let year = components.year ?? 0, month = components.month ?? 0, day = components.day ?? 0
        return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}
