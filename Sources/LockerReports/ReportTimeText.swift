import Foundation

/// Times and durations as a report shows them: instants in the report's own time zone with their
/// offset (so a reader abroad sees the cabinet's clock and can still tell the instant), durations
/// in hours and minutes.
struct ReportTimeText {
    let style: Date.ISO8601FormatStyle

    init(timeZone identifier: String) {
        style = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: 0)!)
    }

    func instant(_ date: Date) -> String { date.formatted(style) }

    static func duration(_ seconds: Double?, in language: ReportLanguage = .english) -> String {
        guard let seconds else { return "-" }
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return ReportLabels.text(.minutes, in: language, ["minutes": "\(minutes)"]) }
        let hours = minutes / 60, rest = minutes % 60
        return rest == 0 ? ReportLabels.text(.wholeHours, in: language, ["hours": "\(hours)"])
            : ReportLabels.text(.hoursAndMinutes, in: language, ["hours": "\(hours)", "minutes": "\(rest)"])
    }
}
