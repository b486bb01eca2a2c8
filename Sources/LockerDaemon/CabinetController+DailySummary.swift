import Foundation
public import LockerCore
import LockerStore

extension CabinetController {
    /// Records the summary of a finished day that `DailySummarizer` computed off the loop: on the
    /// loop, like every event, so it joins the chain, the feed and the uplink in order. The
    /// transaction first looks for a summary of that day recorded after event `checkedThrough`
    /// (the summarizer read the record up to there, and found none) and adds none if there is one
    /// (two passes racing, or a pass repeated): true when recorded, false when the day already
    /// had its summary, nil when the store refused.
    public func recordDailySummary(date: String, payload: [String: EventValue], checkedThrough: Int64) -> Bool? {
        let recorded = commit("daily summary") { tx -> Bool in
            guard try !tx.hasDailySummary(date: date, after: checkedThrough) else { return false }
            try tx.append(CustodyEvent(.dailySummary, payload: payload))
            return true
        }
        if recorded == true { publishNewEvents() }
        return recorded
    }
}
