public import FoundationEssentials

/// The few ways the maintenance tools write times and durations, kept in one place so every
/// report and every test agrees on them.
public enum MaintenanceTextFormat {
    /// ISO 8601 in UTC without fractional seconds ("2024-03-01T09:30:00Z"): the cabinet, its logs
    /// and the central server all use UTC, so a technician never has to guess a time zone.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    /// A duration at the precision a person needs: "45s", "12m 03s", "2h 05m", "3d 04h".
    /// Two units at most; the second is zero-padded so columns of ages line up and read alike.
    /// Negative values (a clock stepped back) read as zero rather than as nonsense.
    public static func duration(seconds: Int) -> String {
        let seconds = max(0, seconds)
        let minute = 60, hour = 3600, day = 86_400
        switch seconds {
        case ..<minute:
            return "\(seconds)s"
        case ..<hour:
            return "\(seconds / minute)m \(twoDigits(seconds % minute))s"
        case ..<day:
            return "\(seconds / hour)h \(twoDigits(seconds % hour / minute))m"
        default:
            return "\(seconds / day)d \(twoDigits(seconds % day / hour))h"
        }
    }

    /// A duration given as a time interval, rounded up so "retry in" never reads 0s while waiting.
    public static func duration(_ interval: TimeInterval) -> String {
        guard interval.isFinite else { return "-" }
        return duration(seconds: Int(interval.rounded(.up)))
    }

    /// "2024-03-01T09:30:00Z (2h 05m ago)", or "(in 4m 00s)" for a time still ahead of `now`.
    public static func timestamp(_ date: Date, relativeTo now: Date) -> String {
        let elapsed = now.timeIntervalSince(date)
        let relative = elapsed >= 0 ? "\(duration(elapsed)) ago" : "in \(duration(-elapsed))"
        return "\(timestamp(date)) (\(relative))"
    }

    /// Degrees with one decimal, built by hand so the output never depends on a locale.
    public static func celsius(_ value: Double) -> String {
        guard value.isFinite else { return "?" }
        let tenths = Int((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)°C"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
