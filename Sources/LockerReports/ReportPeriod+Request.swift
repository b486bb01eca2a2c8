public import FoundationEssentials

extension ReportPeriod {
    /// The period a request names: exactly one of a day, a month or a `from`...`to` range (both
    /// ends needed); none at all: the local month that contains `now`. lockerd (socket and
    /// offline) and lockerctl read the same four options through this one function.
    public static func requested(
        day: String?, month: String?, from: String?, to: String?, timeZone: TimeZone, now: Date
    ) throws(ReportPeriodError) -> ReportPeriod {
        let range = from != nil || to != nil
        guard [day != nil, month != nil, range].filter({ $0 }).count <= 1 else {
            throw ReportPeriodError("name one period: a day, a month, or from and to")
        }
        if let day { return try Self.day(day, timeZone: timeZone) }
        if let month { return try Self.month(month, timeZone: timeZone) }
        if range {
            guard let from, let to else { throw ReportPeriodError("a range needs both from and to (YYYY-MM-DD, both included)") }
            return try days(from: from, to: to, timeZone: timeZone)
        }
        let parts = calendar(timeZone).dateComponents([.year, .month], from: now)
        let year = parts.year ?? 1970, number = parts.month ?? 1
        return try Self.month("\(year)-\(number < 10 ? "0" : "")\(number)", timeZone: timeZone)
    }
}
