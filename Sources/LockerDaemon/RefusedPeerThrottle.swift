import Foundation
import Synchronization

/// Decides which connections turned away at the maintenance socket's door (their uid and gid are
/// not admitted) get an audit record of their own. Every record is permanent and a connection
/// costs an outsider nothing, so a loop of `connect()` calls must not fill the disk that holds the
/// custody record: at most one record per uid per `perPeerInterval`, and at most `overallLimit`
/// records in any `overallWindow` for every uid together (a root process can take many uids).
/// Nothing is forgotten: each record carries how many attempts of its peer it stands for, and how
/// many refused connections of anyone went unrecorded since the record before it.
final class RefusedPeerThrottle: Sendable {
    /// What a record says about the attempts it stands for.
    struct Admission: Equatable, Sendable {
        /// This peer's refused connections since its last record, this one included.
        var attempts: Int
        /// Refused connections of any peer left without a record since the previous record.
        var suppressed: Int
    }

    private struct State {
        var lastRecord: [UInt32: Date] = [:]
        var unrecorded: [UInt32: Int] = [:]
        var recentRecords: [Date] = []
        var suppressed = 0
    }

    let perPeerInterval: TimeInterval
    let overallLimit: Int
    let overallWindow: TimeInterval
    private let state = Mutex(State())

    init(perPeerInterval: TimeInterval = 60, overallLimit: Int = 30, overallWindow: TimeInterval = 3600) {
        self.perPeerInterval = perPeerInterval
        self.overallLimit = overallLimit
        self.overallWindow = overallWindow
    }

    /// The record to make for this refused connection, or nil for none now (it is counted).
    func admit(uid: UInt32, now: Date) -> Admission? {
        state.withLock { state in
            // A clock set back counts as time passed, never as a reason to stay silent for ever.
            state.recentRecords.removeAll { now.timeIntervalSince($0) >= overallWindow || $0 > now }
            let peerQuiet = state.lastRecord[uid].map { now.timeIntervalSince($0) >= perPeerInterval || $0 > now } ?? true
            guard peerQuiet, state.recentRecords.count < overallLimit else {
                // Many uids flooding at once lose their own counts, never the overall one.
                if state.unrecorded.count > 4096 { state.unrecorded = [:] }
                state.unrecorded[uid, default: 0] += 1
                state.suppressed += 1
                return nil
            }
            let admission = Admission(attempts: (state.unrecorded[uid] ?? 0) + 1, suppressed: state.suppressed)
            state.unrecorded[uid] = nil
            state.suppressed = 0
            state.lastRecord[uid] = now
            state.recentRecords.append(now)
            // Peers quiet for a whole interval need no entry: their next attempt is recorded anyway.
            if state.lastRecord.count > 1024 {
                state.lastRecord = state.lastRecord.filter { now.timeIntervalSince($0.value) < perPeerInterval }
            }
            return admission
        }
    }
}
