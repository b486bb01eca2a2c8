/// One parcel's custody as the record tells it: the events that put it in, took it out or flagged
/// it overdue (indexes into the report's events, in sequence order), and its row in the parcels
/// table. Reconciliation asks each trace whether it is one deposit followed by at most one
/// pickup or retrieval, and whether the table agrees.
struct ParcelTrace {
    var deposits: [Int] = []
    var exits: [Int] = []
    var overdue: [Int] = []
    var row: ReportParcel?

    /// Every custody event of the parcel, in sequence order.
    var allEvents: [Int] { (deposits + exits + overdue).sorted() }

    /// Whether the parcel is inside at `time` by its events alone: each deposit before `time`
    /// puts it in, each pickup or retrieval takes it out, in the order they were recorded.
    func isLive(at time: Double, _ events: [ReportEvent]) -> Bool {
        var live = false
        var d = 0, x = 0
        while d < deposits.count || x < exits.count {
            let takeDeposit = x >= exits.count || (d < deposits.count && deposits[d] < exits[x])
            let index = takeDeposit ? deposits[d] : exits[x]
            if takeDeposit { d += 1 } else { x += 1 }
            guard events[index].occurredAt < time else { continue }
            live = takeDeposit
        }
        return live
    }

    /// Inside at the end of everything the record holds.
    var isLiveAtHead: Bool {
        guard let lastDeposit = deposits.last else { return false }
        guard let lastExit = exits.last else { return true }
        return lastDeposit > lastExit
    }
}
