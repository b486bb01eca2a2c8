public import Foundation

/// Housekeeping: the start record, overdue parcels, the storage alarm.
extension CustodyStateMachine {
    public func daemonStarted(in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.daemonStarted, payload: ["compartments": .int(Int64(model.compartments.count))]))
        return change
    }

    /// Parcels past their retention deadline are flagged overdue, one change per compartment (a
    /// refused commit for one door does not hold back the others).
    public func overdueFound(in model: CabinetModel, now: Date) -> [CustodyChange] {
        let due = retention.newlyOverdue(model.allLiveParcels, now: now)
        return Dictionary(grouping: due, by: \.compartmentID).sorted(by: { $0.key < $1.key }).map { id, parcels in
            var change = CustodyChange()
            change.updatedParcels = parcels.map { $0.with(status: .overdue) }
            var record = model.record(id)
            if record.compartment.state == .occupied { record.compartment.state = .overdue }
            change.write(record)
            for parcel in parcels {
                change.record(CustodyEvent(.parcelOverdue, compartmentID: id, parcelID: parcel.id, payload: Self.payload(
                    record.compartment.label, [
                        "tracking_number": .string(parcel.trackingNumber),
                        "retention_deadline": .double(parcel.retentionDeadline.timeIntervalSince1970),
                    ])))
            }
            return change
        }
    }

    /// The store crossed its budget (or its disk's reserve) one way or the other. The alarm is
    /// recorded even when full: the budget keeps room for exactly such events.
    /// - Parameter diskReserveHeld: whether the daemon's disk reserve is held (false: it was
    ///   released because a commit found the disk full); nil when the daemon keeps none.
    public func storageVerdictChanged(full: Bool, databaseBytes: Int64, budgetBytes: Int64, freeBytes: Int64?, reserveBytes: Int64,
                                      diskReserveHeld: Bool? = nil) -> CustodyChange
    {
        var change = CustodyChange()
        var payload: [String: EventValue] = [
            "database_bytes": .int(databaseBytes), "budget_bytes": .int(budgetBytes),
            "free_bytes": .int(freeBytes ?? -1), "reserve_bytes": .int(reserveBytes),
        ]
        if let diskReserveHeld { payload["disk_reserve_held"] = .bool(diskReserveHeld) }
        change.record(CustodyEvent(full ? .storageFull : .storageRecovered, payload: payload))
        return change
    }
}

extension CustodyStateMachine {
    /// Whether the upload backlog is too old: the oldest unacknowledged event (nil: none) against
    /// the limit. An alarm when it crosses the limit, a record when it is back under; nothing
    /// while it stays on one side (`wasOld` is what was last recorded).
    public func uplinkBacklogChecked(oldestUnsent: (sequence: Int64, at: Date)?, unsent: Int64, limitHours: Double,
                                     wasOld: Bool, now: Date) -> (change: CustodyChange, isOld: Bool) {
        let isOld = oldestUnsent.map { now.timeIntervalSince($0.at) > limitHours * 3_600 } ?? false
        guard isOld != wasOld else { return (CustodyChange(), isOld) }
        var change = CustodyChange()
        if isOld, let oldest = oldestUnsent {
            change.record(CustodyEvent(.uplinkBacklogOld, payload: [
                "oldest_sequence": .int(oldest.sequence), "oldest_at": .string(oldest.at.formatted(.iso8601)),
                "unsent": .int(unsent), "limit_hours": .double(limitHours),
            ]))
        } else {
            change.record(CustodyEvent(.uplinkBacklogCaughtUp, payload: ["unsent": .int(unsent), "limit_hours": .double(limitHours)]))
        }
        return (change, isOld)
    }

    /// Another client took this cabinet's session at the broker: an alarm, but at most one an
    /// hour (a clone keeps taking it back; one record says it, a stream would bury the rest).
    public func uplinkSessionTakenOver(broker: String, lastAlarm: Date?, now: Date) -> CustodyChange {
        if let lastAlarm, lastAlarm <= now, now.timeIntervalSince(lastAlarm) < 3_600 { return CustodyChange() }
        var change = CustodyChange()
        change.record(CustodyEvent(.uplinkSessionTakenOver, payload: ["broker": .string(broker)]))
        return change
    }
}

extension CustodyStateMachine {
    /// The database was damaged at start and moved aside: this record starts afresh and every
    /// door is out of service until a technician checks what it holds (custody is unknown).
    public func storeMovedAside(to path: String, reason: String, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.storeMovedAside, payload: [
            "moved_to": .string(path), "reason": .string(reason), "doors_quarantined": .int(Int64(model.compartments.count)),
        ]))
        for compartment in model.compartments {
            var record = model.record(compartment.id)
            record.compartment.state = .quarantined
            record.compartment.quarantineReason =
                "the database was damaged and moved aside (\(path)): check what this door holds, then enable it"
            change.write(record)
            change.record(CustodyEvent(.compartmentQuarantined, compartmentID: compartment.id, payload: Self.payload(
                compartment.label, ["reason": .string(record.compartment.quarantineReason ?? "")])))
        }
        return change
    }
}
