/// The technician's actions: each one's audit record (who, what, why) is in the same change as the
/// state it changes, so it is durable before any latch moves. Power failure: before the commit,
/// nothing happened and the technician sees no answer; after it, the record says what was
/// commanded and the door watch records what the door then did.
extension CustodyStateMachine {
    /// Doors pulsed by a technician (open, open-all, self-test) or the server (remote open):
    /// custody does not change, the latches' wear is counted. The daemon pulses them one after
    /// another once this is durable.
    /// - Parameter audit: the technician's record, if the action has one (a self-test has none).
    public func latchesPulsed(_ ids: [Int], audit: CustodyEvent?, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        for id in ids {
            var record = model.record(id)
            record.compartment.latchCycles += 1
            change.write(record)
        }
        if let audit { change.record(audit) }
        return change
    }

    /// Takes a door out of service: no new parcels, no pickups, until it is enabled.
    public func quarantined(_ id: Int, reason: String, audit: CustodyEvent, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.state = .quarantined
        record.compartment.quarantineReason = reason
        change.write(record)
        change.record(CustodyEvent(.compartmentQuarantined, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "reason": .string(reason),
        ])))
        change.record(audit)
        return change
    }

    /// Puts a quarantined or disabled door back into service: occupied (or overdue) when parcels
    /// are still recorded in it, so their recipients' codes work again; otherwise available.
    public func enabled(_ id: Int, audit: CustodyEvent, in model: CabinetModel) -> CustodyChange {
        let parcels = model.liveParcels[id] ?? []
        let state: CompartmentState = parcels.isEmpty ? .available : (parcels.contains { $0.status == .overdue } ? .overdue : .occupied)
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.state = state
        record.compartment.quarantineReason = nil
        change.write(record)
        change.record(CustodyEvent(.compartmentEnabled, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "state": .string(state.rawValue),
        ])))
        change.record(audit)
        return change
    }

    /// An event with no state change (an audit record, a cold-chain alarm, a command's result).
    public func recorded(_ events: CustodyEvent...) -> CustodyChange {
        var change = CustodyChange()
        change.events = events
        return change
    }
}
