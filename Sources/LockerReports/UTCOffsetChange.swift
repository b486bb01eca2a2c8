public import FoundationEssentials

/// From `from` on, until the next change, the cabinet's clock is `seconds` ahead of UTC.
///
/// Why a report carries these: lockerctl is built on FoundationEssentials, which has no time-zone
/// data (it knows "UTC+8", not "Asia/Shanghai"; the data is ICU's, 30 MB lockerctl does without).
/// lockerd, which has it, writes the offsets around a report's period into the report, and
/// lockerctl shows the report's instants on the cabinet's clock from them.
public struct UTCOffsetChange: Sendable, Codable, Equatable {
    public var from: Date
    public var seconds: Int

    public init(from: Date, seconds: Int) {
        self.from = from
        self.seconds = seconds
    }

    /// The offsets of `zone` from a year before `start` to a month after `end` (a report's
    /// instants are mostly inside its period; a parcel may have come in months before). The first
    /// entry is at the beginning of that stretch, on a whole second, so the list survives JSON.
    static func changes(in zone: TimeZone, from start: Date, to end: Date) -> [UTCOffsetChange] {
        let first = Date(timeIntervalSince1970: (start.timeIntervalSince1970 - 366 * 86_400).rounded(.down))
        let last = end.addingTimeInterval(31 * 86_400)
        var changes = [UTCOffsetChange(from: first, seconds: zone.secondsFromGMT(for: first))]
        var cursor = first
        // A zone changes twice a year at most in practice; the bound only guards a zone that misbehaves.
        while changes.count < 64, let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < last {
            changes.append(UTCOffsetChange(from: next, seconds: zone.secondsFromGMT(for: next)))
            cursor = next
        }
        return changes
    }

    /// The offset in effect at `date`: the last change at or before it (the first one before them all).
    static func offset(at date: Date, in changes: [UTCOffsetChange]) -> Int {
        changes.last { $0.from <= date }?.seconds ?? changes.first?.seconds ?? 0
    }
}
