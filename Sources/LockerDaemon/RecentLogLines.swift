import Synchronization

/// The last few hundred log lines, kept in memory for the diagnostics bundle: on a cabinet whose
/// journal is volatile or rotated, what the daemon said just before a fault is the first thing a
/// technician needs.
public final class RecentLogLines: Sendable {
    private struct Ring {
        var lines: [String] = []
        var next = 0
    }

    public let capacity: Int
    private let ring = Mutex(Ring())

    public init(capacity: Int = 500) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public func append(_ line: String) {
        ring.withLock { ring in
            if ring.lines.count < capacity {
                ring.lines.append(line)
            } else {
                ring.lines[ring.next] = line
            }
            ring.next = (ring.next + 1) % capacity
        }
    }

    /// Oldest first.
    public func lines() -> [String] {
        ring.withLock { ring in
            ring.lines.count < capacity ? ring.lines : Array(ring.lines[ring.next...] + ring.lines[..<ring.next])
        }
    }
}
