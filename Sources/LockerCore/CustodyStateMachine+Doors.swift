/// Door supervision: what the sensors say becomes the record, alarms are raised, latches that did
/// not open take their door out of service, and a board's doors are reconciled when it (re)appears.
extension CustodyStateMachine {
    /// The recorded door state follows the sensor (no event: alarms have their own). Nil when the
    /// record already agrees.
    public func doorSensorChanged(_ id: Int, isOpen: Bool, in model: CabinetModel) -> CustodyChange? {
        guard model.compartments[id].isDoorOpen != isOpen else { return nil }
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.isDoorOpen = isOpen
        change.write(record)
        return change
    }

    /// The sensor disagrees with the record when a board is read at start or on its return.
    public func doorReconciled(_ id: Int, sensorOpen: Bool, in model: CabinetModel) -> CustodyChange? {
        let recorded = model.compartments[id].isDoorOpen
        guard recorded != sensorOpen else { return nil }
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.isDoorOpen = sensorOpen
        change.write(record)
        change.record(CustodyEvent(.doorReconciled, compartmentID: id, payload: Self.payload(record.compartment.label, [
            "recorded_open": .bool(recorded), "sensor_open": .bool(sensorOpen),
        ])))
        return change
    }

    public func doorForcedOpen(_ id: Int, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.doorForcedOpen, compartmentID: id, payload: Self.payload(model.compartments[id].label)))
        change.effects = [.sound(.alarm)]
        change.ifStoreRefuses = change.effects
        return change
    }

    public func doorLeftOpen(_ id: Int, openSeconds: Int, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.doorLeftOpen, compartmentID: id, payload: Self.payload(model.compartments[id].label, [
            "open_seconds": .int(Int64(openSeconds)),
        ])))
        change.effects = [.sound(.alarm)]
        change.ifStoreRefuses = change.effects
        return change
    }

    /// A door closed: the alarm it raised (if any) ends, its light goes off.
    public func doorClosed(_ id: Int, afterAlarm: Bool, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        if afterAlarm {
            change.record(CustodyEvent(.doorClosedAfterAlarm, compartmentID: id, payload: Self.payload(model.compartments[id].label)))
        }
        change.effects = [.lightOff(compartmentID: id)]
        change.ifStoreRefuses = change.effects
        return change
    }

    /// The sensor did not see a door open after its pulse, for anything but a deposit (see
    /// `depositReleased` for those): the door is quarantined and what it was opened for ends.
    public func latchDidNotOpen(_ id: Int, in model: CabinetModel) -> CustodyChange {
        let wasPending = model.pending[id] != nil
        var change = CustodyChange()
        var record = model.record(id)
        record.compartment.state = .quarantined
        record.compartment.quarantineReason = "latch did not open: door sensor did not see the door open"
        record.pending = nil
        change.write(record)
        let label = record.compartment.label
        change.record(CustodyEvent(.latchFailed, compartmentID: id, payload: Self.payload(label)))
        change.record(CustodyEvent(.compartmentQuarantined, compartmentID: id, payload: Self.payload(label, [
            "reason": .string(record.compartment.quarantineReason ?? ""),
        ])))
        change.effects = [.sound(.error)]
        if wasPending { change.effects.append(.show(.doorUnavailable(label: label))) }
        return change
    }

    public func boardOffline(_ board: Int, detail: String) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.boardOffline, payload: ["board": .int(Int64(board)), "detail": .string(detail)]))
        return change
    }

    public func boardOnline(_ board: Int) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.boardOnline, payload: ["board": .int(Int64(board))]))
        return change
    }
}
