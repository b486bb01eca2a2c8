import Foundation
import Synchronization

/// Decides which forbidden attempts get an audit record of their own: the first from a peer, then
/// at most one per `interval`, carrying the count of attempts it stands for. Refusals are cheap for
/// a client to produce and each record is permanent, so without this a read-only peer could fill
/// the disk that holds the custody record.
final class ForbiddenAttemptThrottle: Sendable {
    private struct Window {
        var recordedAt: Date
        var unrecorded: Int
    }

    let interval: TimeInterval
    private let windows = Mutex<[UInt32: Window]>([:])

    init(interval: TimeInterval) {
        self.interval = interval
    }

    /// The number of attempts the record stands for (this one included), or nil for no record now.
    func admit(uid: UInt32, now: Date) -> Int? {
        windows.withLock { windows in
            if let window = windows[uid], now.timeIntervalSince(window.recordedAt) < interval, now >= window.recordedAt {
                windows[uid]?.unrecorded += 1
                return nil
            }
            let attempts = (windows[uid]?.unrecorded ?? 0) + 1
            windows[uid] = Window(recordedAt: now, unrecorded: 0)
            return attempts
        }
    }
}
