public import Foundation

/// Reads an HTTP `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
public enum UplinkRetryAfter {
    /// Seconds to wait from `now`; nil when the header is absent or unreadable (then the backoff decides).
    public static func seconds(_ header: String?, now: Date) -> Double? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text) { return seconds >= 0 ? Double(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
