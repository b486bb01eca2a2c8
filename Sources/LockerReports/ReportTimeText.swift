import FoundationEssentials

/// Times and durations as a report shows them: instants in the report's own time zone with their
/// offset (so a reader abroad sees the cabinet's clock and can still tell the instant), durations
/// in hours and minutes.
///
/// The zone comes from its name where time-zone data is at hand (lockerd), otherwise from the
/// offsets the report carries (lockerctl, on FoundationEssentials); UTC when it has neither.
struct ReportTimeText {
    private let style: Date.ISO8601FormatStyle?
    private let offsets: [UTCOffsetChange]

    /// - Parameter namedZones: false shows the instants from the period's offsets even where the
    ///   zone's name resolves (how lockerctl shows them; for tests).
    init(period: ReportPeriod, namedZones: Bool = true) {
        let zone = namedZones ? TimeZone(identifier: period.timeZone) : nil
        style = zone.map { Date.ISO8601FormatStyle(timeZone: $0) }
        offsets = period.utcOffsets ?? []
    }

    func instant(_ date: Date) -> String {
        if let style { return date.formatted(style) }
        let zone = TimeZone(secondsFromGMT: UTCOffsetChange.offset(at: date, in: offsets)) ?? .gmt
        return date.formatted(Date.ISO8601FormatStyle(timeZone: zone))
    }

    static func duration(_ seconds: Double?, in language: ReportLanguage = .english) -> String {
        guard let seconds else { return "-" }
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return ReportLabels.text(.minutes, in: language, ["minutes": "\(minutes)"]) }
        let hours = minutes / 60, rest = minutes % 60
        return rest == 0 ? ReportLabels.text(.wholeHours, in: language, ["hours": "\(hours)"])
            : ReportLabels.text(.hoursAndMinutes, in: language, ["hours": "\(hours)", "minutes": "\(rest)"])
    }
}
