import Foundation
public import LockerCore
import LockerStore

extension CabinetController {
    /// Records the summary of a finished day that `DailySummarizer` computed off the loop: on the
    /// loop, like every event, so it joins the chain, the feed and the uplink in order. The
    /// transaction first looks for a summary of that day and adds none if there is one (a pass
    /// repeated after a power cut, or two passes racing): true when recorded, false when the day
    /// already had its summary, nil when the store refused.
    public func recordDailySummary(date: String, payload: [String: EventValue]) -> Bool? {
        let recorded = commit("daily summary") { tx -> Bool in
            guard try !tx.hasDailySummary(date: date) else { return false }
            try tx.append(CustodyEvent(.dailySummary, payload: payload))
            return true
        }
        if recorded == true { publishNewEvents() }
        return recorded
    }
}
