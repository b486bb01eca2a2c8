public import FoundationEssentials

/// The stretch of time a report covers: whole local days in the cabinet's time zone, from the
/// local midnight that starts the first to the local midnight that ends the last (so a month with
/// a DST change is 1 hour shorter or longer than its days times 24).
public struct ReportPeriod: Sendable, Codable, Equatable {
    /// The first instant in the period.
    public var start: Date
    /// The first instant after it (exclusive).
    public var end: Date
    /// The IANA name of the time zone its days and hours are counted in.
    public var timeZone: String
    /// How a person names it: "2024-03", "2024-03-31" or "2024-03-01..2024-03-15".
    public var label: String
    /// The time zone's offsets around the period, for readers without time-zone data (lockerctl);
    /// nil where the zone could not be resolved (made where there is no such data).
    public var utcOffsets: [UTCOffsetChange]?

    public init(start: Date, end: Date, timeZone: String, label: String) {
        self.start = start
        self.end = end
        self.timeZone = timeZone
        self.label = label
        utcOffsets = TimeZone(identifier: timeZone).map { UTCOffsetChange.changes(in: $0, from: start, to: end) }
    }

    /// One local day, "YYYY-MM-DD".
    public static func day(_ text: String, timeZone: TimeZone) throws(ReportPeriodError) -> ReportPeriod {
        try days(from: text, to: text, timeZone: timeZone)
    }

    /// One local month, "YYYY-MM".
    public static func month(_ text: String, timeZone: TimeZone) throws(ReportPeriodError) -> ReportPeriod {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
              (1...12).contains(month)
        else { throw ReportPeriodError("\"\(text.prefix(32))\" is not a month: use YYYY-MM") }
        let calendar = Self.calendar(timeZone)
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let end = calendar.date(byAdding: .month, value: 1, to: start)
        else { throw ReportPeriodError("\(text) cannot be placed in \(timeZone.identifier)") }
        return ReportPeriod(start: start, end: end, timeZone: timeZone.identifier, label: text)
    }

    /// Whole local days from `first` to `last`, both included ("YYYY-MM-DD").
    public static func days(from first: String, to last: String, timeZone: TimeZone) throws(ReportPeriodError) -> ReportPeriod {
        let calendar = Self.calendar(timeZone)
        let start = try localMidnight(first, calendar)
        let lastStart = try localMidnight(last, calendar)
        guard lastStart >= start else { throw ReportPeriodError("\(last) is before \(first)") }
        guard let end = calendar.date(byAdding: .day, value: 1, to: lastStart) else {
            throw ReportPeriodError("\(last) cannot be placed in \(timeZone.identifier)")
        }
        return ReportPeriod(start: start, end: end, timeZone: timeZone.identifier, label: first == last ? first : "\(first)..\(last)")
    }

    /// The Gregorian calendar in `timeZone`, which every local day and hour of a report uses.
    public static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private static func localMidnight(_ text: String, _ calendar: Calendar) throws(ReportPeriodError) -> Date {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { throw ReportPeriodError("\"\(text.prefix(32))\" is not a date: use YYYY-MM-DD") }
        let components = DateComponents(year: year, month: month, day: day)
        // A day that does not exist (02-30) must not roll over into the next month unseen.
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else {
            throw ReportPeriodError("\(text) is not a day of the calendar")
        }
        return calendar.startOfDay(for: date)
    }
}

/// Why a period could not be read; the text says what to type instead.
public struct ReportPeriodError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
