/// What a simulated device did, for tests to read: the most recent `capacity` entries. A
/// simulated cabinet also runs for days (`make run`, the footprint soak), and a log of every
/// key, pulse and frame would grow for as long. Trimmed when it reaches twice the capacity, so
/// an append costs O(1) amortized.
struct RecentLog<Element> {
    private var entries: [Element] = []
    let capacity: Int

    init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    mutating func append(_ entry: Element) {
        entries.append(entry)
        if entries.count >= capacity * 2 { entries.removeFirst(entries.count - capacity) }
    }

    /// The last `capacity` entries, oldest first.
    var recent: [Element] { entries.count > capacity ? Array(entries.suffix(capacity)) : entries }

    var last: Element? { entries.last }
}

extension RecentLog: Sendable where Element: Sendable {}
