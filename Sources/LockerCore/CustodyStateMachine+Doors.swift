public import Foundation

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

    /// A door read again at start or when its board answers after an outage: the record follows
    /// the sensors, and every difference a person could have caused while nobody was watching is
    /// an alarm with the door, its parcels and the outage. Doors with an operation in flight are
    /// left to `pendingDoorClosed` (or to their closing). Nil when everything agrees.
    /// - Parameters:
    ///   - itemPresent: the item sensor now; nil where there is none.
    ///   - outage: from the last moment the door was watched (the board went silent, the last
    ///     time lockerd recorded) to now; nil when unknown.
    public func doorReconciled(
        _ id: Int, sensorOpen: Bool, itemPresent: Bool? = nil, outage: DateInterval? = nil, in model: CabinetModel
    ) -> CustodyChange? {
        var change = CustodyChange()
        var record = model.record(id)
        let label = record.compartment.label
        let recorded = record.compartment.isDoorOpen
        if recorded != sensorOpen {
            record.compartment.isDoorOpen = sensorOpen
            change.record(CustodyEvent(.doorReconciled, compartmentID: id, payload: Self.payload(label, [
                "recorded_open": .bool(recorded), "sensor_open": .bool(sensorOpen),
            ])))
        }
        if model.pending[id] == nil {
            let parcels = model.liveParcels[id] ?? []
            var when: [String: EventValue] = [:]
            if let outage {
                when["outage_from"] = .double(outage.start.timeIntervalSince1970)
                when["outage_to"] = .double(outage.end.timeIntervalSince1970)
            }
            if sensorOpen && !recorded {
                change.record(CustodyEvent(.doorOpenedUnseen, compartmentID: id, payload: Self.payload(label, when.merging([
                    "parcel_ids": .ints(parcels.map(\.id)),
                ]) { first, _ in first })))
                change.effects.append(.sound(.alarm))
            }
            let quarantinable = record.compartment.state != .quarantined && record.compartment.state != .disabled
            if itemPresent == false, !parcels.isEmpty {
                change.record(CustodyEvent(.parcelMissing, compartmentID: id, payload: Self.payload(label, when.merging([
                    "parcel_ids": .ints(parcels.map(\.id)), "tracking_numbers": .strings(parcels.map(\.trackingNumber)),
                ]) { first, _ in first })))
                if quarantinable { quarantine(&record, &change, reason: "the item sensor sees none of its parcels: check the door") }
            } else if itemPresent == true, parcels.isEmpty, record.compartment.state == .available {
                change.record(CustodyEvent(.unexpectedItem, compartmentID: id, payload: Self.payload(label, when)))
                quarantine(&record, &change, reason: "the item sensor sees something nobody deposited: check the door")
            }
        }
        guard !change.events.isEmpty else { return nil }
        change.write(record)
        return change
    }

    private func quarantine(_ record: inout CompartmentRecord, _ change: inout CustodyChange, reason: String) {
        record.compartment.state = .quarantined
        record.compartment.quarantineReason = reason
        change.record(CustodyEvent(.compartmentQuarantined, compartmentID: record.compartment.id, payload: Self.payload(
            record.compartment.label, ["reason": .string(reason)])))
    }

    public func doorForcedOpen(_ id: Int, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(.doorForcedOpen, compartmentID: id, payload: Self.payload(model.compartments[id].label)))
        change.effects = [.sound(.alarm)]
        change.ifStoreRefuses = change.effects
        return change
    }

    /// A door opened by a command that is no custody operation (a remote open, a technician's open)
    /// was seen open, or closed again: its movements are recorded with the door and why it opened.
    public func doorMovedOnCommand(_ id: Int, isOpen: Bool, openedFor reason: String, in model: CabinetModel) -> CustodyChange {
        var change = CustodyChange()
        change.record(CustodyEvent(isOpen ? .doorOpenedOnCommand : .doorClosedAfterCommand, compartmentID: id,
                                   payload: Self.payload(model.compartments[id].label, ["opened_for": .string(reason)])))
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

    /// The board reports that this door's latch cannot be driven (one channel's fault, the board
    /// itself works): the door alone goes out of service with an alarm, until a technician has
    /// looked. What it was being opened for is left to the caller (`latchRefused`), which runs
    /// after this change: a quarantined door is never handed back as available. Nil when the
    /// door is already quarantined or disabled for this reason.
    public func latchFaulted(_ id: Int, detail: String, in model: CabinetModel) -> CustodyChange? {
        var record = model.record(id)
        let reason = "latch fault: \(detail)"
        guard record.compartment.quarantineReason != reason || record.compartment.state != .quarantined else { return nil }
        var change = CustodyChange()
        let label = record.compartment.label
        change.record(CustodyEvent(.latchFailed, compartmentID: id, payload: Self.payload(label, ["reason": .string(reason)])))
        if record.compartment.state != .disabled {
            quarantine(&record, &change, reason: reason)
        }
        change.write(record)
        change.effects = [.sound(.alarm)]
        change.ifStoreRefuses = change.effects
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

extension CustodyStateMachine {
    /// A door with an operation in flight is closed (seen closing, or found closed at start or
    /// when its board came back): what it was opened for is settled by
    /// `PendingOperationSettlement` (the item sensor decides where it can; without evidence,
    /// custody is never invented and never given up). Nil when nothing was pending, or when no
    /// free pickup code could be drawn for a deposit (the deposit then stays pending).
    /// - Parameters:
    ///   - itemPresent: the item sensor now; nil where there is none.
    ///   - interrupted: the person who opened it is not known to be there any more.
    ///   - courierAtPanel: the courier of this deposit is still at the panel (told the outcome).
    ///   - issueCode: draws the deposit's code (see `issueCode(for:compartmentID:shared:in:using:)`).
    ///   - seal: the drawn code sealed for the central server (nil: no sealing configured, or it failed).
    ///   - temperature: the cold-chain summary for a pickup's event.
    public func pendingDoorClosed(
        _ id: Int, itemPresent: Bool?, interrupted: Bool, courierAtPanel: Bool, in model: CabinetModel, now: Date,
        issueCode: (_ intake: ParcelIntake, _ shared: Bool) -> IssuedCode?,
        seal: (_ code: String, _ trackingNumber: String) -> String? = { _, _ in nil },
        temperature: [String: EventValue]? = nil
    ) -> CustodyChange? {
        guard let operation = model.pending[id] else { return nil }
        let label = model.compartments[id].label
        switch (PendingOperationSettlement.settle(operation, itemPresent: itemPresent, interrupted: interrupted), operation) {
        case (.commitDeposit(let recovered), .deposit(let intake, let courierID, let shared)):
            guard let code = issueCode(intake, shared) else { return nil }
            let sealed = code.code.flatMap { seal($0, intake.trackingNumber) }
            return depositCommitted(id, intake: intake, courierID: courierID, shared: shared, recovered: recovered, code: code,
                                    sealedCode: sealed, in: model, now: now)
        case (.releaseReservation(let reason), _):
            var change = depositReleased(id, reason: reason, in: model)
            if courierAtPanel { change?.effects = [.panel(.depositFinished(.depositClosedEmpty(label: label)))] }
            return change
        case (.quarantineForInspection(let reason), _):
            var change = depositReleased(id, reason: reason, quarantine: reason, in: model)
            if courierAtPanel {
                let inspection: PanelMessage? = switch operation {
                case .deposit(let intake, _, _): .doorNeedsInspection(label: label, trackingNumber: intake.trackingNumber, afterCancel: false)
                case .cancelledDeposit(let intake, _, _): .doorNeedsInspection(label: label, trackingNumber: intake.trackingNumber, afterCancel: true)
                case .pickup, .retrieval: nil
                }
                change?.effects = inspection.map { [.panel(.depositFinished($0))] } ?? []
            }
            return change
        case (.commitPickup, .pickup(let parcelIDs, let codeHash)):
            return pickupCompleted(id, parcelIDs: parcelIDs, codeHash: codeHash, temperature: temperature, in: model, now: now)
        case (.keepParcels(let reason), _):
            return pickupNotTaken(id, reason: reason, interrupted: interrupted, in: model)
        case (.commitRetrieval, .retrieval(let parcelIDs, let courierID, let batchStartedAt)):
            return retrievalCompleted(id, parcelIDs: parcelIDs, courierID: courierID, batchStartedAt: batchStartedAt, in: model)
        case (.keepOverdueParcels(let reason), _):
            return retrievalNotTaken(id, reason: reason, interrupted: interrupted, in: model)
        default:
            // `settle` answers each operation with its own kinds only.
            preconditionFailure("settlement \(operation) does not fit its operation")
        }
    }
}
